export {
  APP_ROLE,
  type BootstrappedDatabase,
  bootstrapDatabase,
  databaseUrl,
  OWNER_ROLE,
  onDatabase,
  type RolePasswords,
  TEST_ROLE_PASSWORDS,
  withClient,
} from './db/bootstrap.ts';
export {
  type EmbeddedMeilisearch,
  type EmbeddedMeilisearchOptions,
  indexingBounds,
  startEmbeddedMeilisearch,
} from './embedded/meilisearch.ts';
export { findFreePort, isPortFree, preferredOrFreePort } from './embedded/ports.ts';
export { type EmbeddedPostgres, type EmbeddedPostgresOptions, startEmbeddedPostgres } from './embedded/postgres.ts';
export { stopChild } from './embedded/process.ts';

// Helpers that need a running Vitest (inject); kept out of the main entry so the dev launcher can import the
// embedded servers without loading Vitest.
export type { ZhanqunProvided } from './provided.ts';
export { createTestDatabase, type TestDatabase } from './test-db.ts';

/**
 * What the global setup hands to test files (read with `inject(...)` from 'vitest'). Declared here so that any
 * file importing the test helpers sees the typed keys.
 */
export interface ZhanqunProvided {
  /** Superuser on database `postgres` of the test cluster. */
  pgAdminUrl: string;
  /** The migrated template every test database is cloned from. */
  pgTemplateDb: string;
  pgOwnerPassword: string;
  pgAppPassword: string;
  /** The shared Meilisearch server (http://127.0.0.1:PORT). */
  meiliUrl: string;
  meiliKey: string;
  /** The shared server's --db-path and port; '' and the URL's port when it was started outside the run. */
  meiliDbPath: string;
  meiliPort: number;
}

declare module 'vitest' {
  export interface ProvidedContext extends ZhanqunProvided {}
}

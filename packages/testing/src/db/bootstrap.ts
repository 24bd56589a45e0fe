import { migrate } from '@zhanqun/adapters';
import pg from 'pg';

export const OWNER_ROLE = 'zhanqun_owner';
export const APP_ROLE = 'zhanqun_app';

/** Well-known role passwords for throwaway test clusters; the dev launcher generates its own. */
export const TEST_ROLE_PASSWORDS = { ownerPassword: 'zhanqun-owner-test', appPassword: 'zhanqun-app-test' } as const;

export interface RolePasswords {
  ownerPassword: string;
  appPassword: string;
}

export interface BootstrappedDatabase {
  /** The schema owner: runs migrations (DATABASE_MIGRATION_URL). */
  ownerUrl: string;
  /** The application role: neither superuser nor owner, so row-level security applies (DATABASE_URL). */
  appUrl: string;
  /** Migrations applied by this call (empty when the database was up to date). */
  applied: string[];
}

/** The same server and credentials as `url`, on another database. */
export function onDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The same server as `url`, as another role on another database. */
export function databaseUrl(url: string, role: string, password: string, database: string): string {
  const u = new URL(onDatabase(url, database));
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates (or brings in line) a login role. Attributes and password are re-applied on every run, so a cluster
 * that outlived its secrets file, or a role created by hand, ends up in the state the application relies on.
 */
async function ensureRole(c: pg.Client, role: string, attributes: string, password: string): Promise<void> {
  const exists = await c.query('select 1 from pg_roles where rolname = $1', [role]);
  const verb = exists.rowCount ? 'alter' : 'create';
  // Utility statements take no bind parameters; the password is quoted with the client's literal escaping.
  await c.query(`${verb} role ${c.escapeIdentifier(role)} with ${attributes} password ${c.escapeLiteral(password)}`);
}

/**
 * Prepares database `dbName` on the server behind `adminUrl` (a superuser): the owner and app roles, the
 * database owned by the owner role, a locked-down `public` schema, then the migrations, run as the owner.
 */
export async function bootstrapDatabase(
  adminUrl: string,
  dbName: string,
  passwords: RolePasswords,
): Promise<BootstrappedDatabase> {
  await withClient(adminUrl, async (c) => {
    await ensureRole(c, OWNER_ROLE, 'login nosuperuser nobypassrls nocreaterole', passwords.ownerPassword);
    await ensureRole(c, APP_ROLE, 'login nosuperuser nobypassrls nocreatedb nocreaterole', passwords.appPassword);
    const db = await c.query('select 1 from pg_database where datname = $1', [dbName]);
    if (!db.rowCount) {
      await c.query(`create database ${c.escapeIdentifier(dbName)} owner ${c.escapeIdentifier(OWNER_ROLE)}`);
    }
  });
  await withClient(onDatabase(adminUrl, dbName), async (c) => {
    // PG 15+ already withholds CREATE on public from PUBLIC; stated anyway so older servers end up the same.
    await c.query('revoke create on schema public from public');
    await c.query(`alter schema public owner to ${c.escapeIdentifier(OWNER_ROLE)}`);
  });
  const ownerUrl = databaseUrl(adminUrl, OWNER_ROLE, passwords.ownerPassword, dbName);
  const appUrl = databaseUrl(adminUrl, APP_ROLE, passwords.appPassword, dbName);
  const applied = await migrate(ownerUrl);
  return { ownerUrl, appUrl, applied };
}

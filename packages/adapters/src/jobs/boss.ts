import { PgBoss } from 'pg-boss';

export const JOB_SCHEMA = 'pgboss';

/** Queues of the platform. Each is created at worker start; sending to a missing queue throws. */
export const queues = {
  /** Daily: purge spent refresh tokens and stale log-in throttles. */
  maintenance: 'maintenance',
} as const;

/**
 * Installs or upgrades pg-boss's own schema as the schema owner, then lets the application role use it.
 * Runs with the migrations, so the app role never needs CREATE on the database.
 */
export async function installJobSchema(ownerUrl: string): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, max: 1 });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false });
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      grant usage on schema ${JOB_SCHEMA} to zhanqun_app;
      grant select, insert, update, delete on all tables in schema ${JOB_SCHEMA} to zhanqun_app;
      grant usage, select on all sequences in schema ${JOB_SCHEMA} to zhanqun_app;
      grant execute on all functions in schema ${JOB_SCHEMA} to zhanqun_app;
      alter default privileges in schema ${JOB_SCHEMA} grant select, insert, update, delete on tables to zhanqun_app;`);
  } finally {
    await client.end();
  }
}

/** A pg-boss instance on the application role (schema already installed). */
export function createBoss(appUrl: string, opts: { supervise?: boolean; schedule?: boolean } = {}): PgBoss {
  return new PgBoss({
    connectionString: appUrl,
    schema: JOB_SCHEMA,
    migrate: false,
    createSchema: false,
    supervise: opts.supervise ?? true,
    schedule: opts.schedule ?? true,
    max: 4,
  });
}

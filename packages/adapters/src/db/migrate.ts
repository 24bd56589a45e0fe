import { installJobSchema } from '../jobs/boss.ts';
import { createOrm } from './orm.ts';

/** Applies pending migrations as the schema owner (DATABASE_MIGRATION_URL). Returns the names applied. */
export async function migrate(ownerUrl: string): Promise<string[]> {
  const orm = await createOrm({ url: ownerUrl, poolMax: 1 });
  try {
    const done = await orm.migrator.up();
    await installJobSchema(ownerUrl);
    return done.map((m) => m.name);
  } finally {
    await orm.close();
  }
}

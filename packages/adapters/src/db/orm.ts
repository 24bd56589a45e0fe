import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { entities, siteFilter } from '@zhanqun/core';
import { migrationsList } from './migrations/index.ts';
import { preparedStatementsOn } from './prepared-statements.ts';

export interface OrmOptions {
  url: string;
  poolMax?: number;
  debug?: boolean;
  /** Called with each SQL statement; tests use it to count round trips. */
  onQuery?: (sql: string) => void;
}

export function ormConfig(opts: OrmOptions): Options {
  return {
    clientUrl: opts.url,
    entities,
    extensions: [Migrator],
    filters: { [siteFilter.name]: siteFilter as never },
    // Row-level security: session variables are applied with set_config(..., true) right after BEGIN, and
    // statements outside an explicit transaction are wrapped in a short one, so the scope is always set.
    sessionContext: 'transaction',
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // Statements core marks as repeated (an import's batches) are prepared once per connection.
    driverOptions: { onPoolCreated: preparedStatementsOn },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: opts.onQuery ? ['query'] : (opts.debug ?? false),
    logger: opts.onQuery ? (msg: string) => opts.onQuery?.(msg) : undefined,
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    schemaGenerator: { ignoreSchema: ['pgboss'] },
  };
}

export async function createOrm(opts: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(opts));
}

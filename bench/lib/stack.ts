/**
 * The benchmark's data stack: embedded PostgreSQL 18 and Meilisearch 1.21 in a throwaway temp dir, the schema
 * migrated into database `zq_bench`, the demo city seeded through the real use cases, then a realistic amount of
 * content bulk-inserted with plain SQL as the schema owner (the owner is not subject to row-level security).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, loadConfig } from '../../packages/adapters/src/index.ts';
import { seedDemoCity } from '../../packages/core/src/index.ts';
import {
  bootstrapDatabase,
  startEmbeddedMeilisearch,
  startEmbeddedPostgres,
  TEST_ROLE_PASSWORDS,
  withClient,
} from '../../packages/testing/src/index.ts';
import type { PgClient } from './deps.ts';

export interface Stack {
  ownerUrl: string;
  appUrl: string;
  meiliUrl: string;
  meiliKey: string;
  /** Environment for loadConfig() that the API would run with (app role, production mode). */
  apiEnv: Record<string, string>;
  /** PostgreSQL's data dir (its postmaster.pid names the postmaster, for CPU figures) and Meilisearch's pid. */
  pgDataDir: string;
  /** The superuser on the bench database (pg_stat_statements, bulk loads). */
  superuserUrl: string;
  meiliPid: () => number;
  stop(): Promise<void>;
}

/**
 * Starts the stack, seeds the demo city through the real use cases, then runs `seed` (bulk content as the owner).
 * The rate limit is set far above any load the bench can make: see bench/README.md ("The rate limit").
 */
export async function startStack<T = undefined>(
  log: (m: string) => void,
  seed?: (owner: PgClient, superuserUrl: string) => Promise<T>,
): Promise<Stack & { seeded: T }> {
  const dir = await mkdtemp(join(tmpdir(), 'zq-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to traverse the data dir's parents.
  await chmod(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e) => log(`stop: ${e}`));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // BENCH_PG_STATEMENTS=1: PostgreSQL counts its statements (pg_stat_statements), for a bench to print the costly.
    // BENCH_PG_EXPLAIN=<ms>: PostgreSQL logs the plan (with actual rows and times) of every statement slower than that.
    // BENCH_PG_DURATION=<ms>: PostgreSQL logs each parse, bind and execute step slower than that, apart — a bind is
    // where a statement's parameters go through their types' input functions (a JSON body's parse), unseen by
    // pg_stat_statements. To the same log.
    const explain = process.env.BENCH_PG_EXPLAIN;
    const duration = process.env.BENCH_PG_DURATION;
    const settings =
      process.env.BENCH_PG_STATEMENTS || explain || duration
        ? {
            shared_preload_libraries: ['pg_stat_statements', ...(explain ? ['auto_explain'] : [])].join(','),
            'pg_stat_statements.track': 'all',
            ...(explain
              ? {
                  'auto_explain.log_min_duration': explain,
                  'auto_explain.log_analyze': 'on',
                  'auto_explain.log_nested_statements': 'on',
                }
              : {}),
            ...(duration ? { log_min_duration_statement: duration, log_parameter_max_length: '0' } : {}),
          }
        : undefined;
    // The plans go to PostgreSQL's log, written to BENCH_PG_LOG (default: zq-bench-postgres.log in the temp dir).
    const pgLog =
      explain || duration
        ? createWriteStream(process.env.BENCH_PG_LOG ?? join(tmpdir(), 'zq-bench-postgres.log'))
        : null;
    if (pgLog) log(`PostgreSQL's log (slow plans): ${pgLog.path}`);
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'postgres'),
      persistent: false,
      log,
      settings,
      ...(pgLog ? { onLog: (line: string) => pgLog.write(`${line}\n`) } : {}),
    });
    if (pgLog) stops.push(() => new Promise<void>((r) => pgLog.end(r)));
    stops.push(pg.stop);
    const meiliKey = randomBytes(24).toString('hex');
    const meili = await startEmbeddedMeilisearch({ dataDir: join(dir, 'meilisearch'), masterKey: meiliKey, log });
    stops.push(meili.stop);
    const db = await bootstrapDatabase(pg.adminUrl, 'zq_bench', TEST_ROLE_PASSWORDS);
    log(`PostgreSQL 18 on 127.0.0.1:${pg.port}, Meilisearch on ${meili.url}; ${db.applied.length} migration(s)`);

    const apiEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: db.appUrl,
      DATABASE_MIGRATION_URL: db.ownerUrl,
      MEILI_URL: meili.url,
      MEILI_MASTER_KEY: meiliKey,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ALTCHA_HMAC_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '100000000',
    };
    const started = Date.now();
    const platform = await createPlatform(loadConfig(apiEnv));
    try {
      await seedDemoCity(platform.systemCtx('bench'));
    } finally {
      await platform.close();
    }
    // The superuser, on the bench database (bulk loads may skip foreign-key checks: see realistic-seed.ts).
    const superuserUrl = Object.assign(new URL(pg.adminUrl), { pathname: '/zq_bench' }).toString();
    if (settings) await withClient(superuserUrl, (c) => c.query('create extension if not exists pg_stat_statements'));
    const seeded = seed
      ? await withClient(db.ownerUrl, (c) => seed(c as unknown as PgClient, superuserUrl))
      : (undefined as T);
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      ownerUrl: db.ownerUrl,
      appUrl: db.appUrl,
      meiliUrl: meili.url,
      meiliKey,
      apiEnv,
      pgDataDir: pg.dataDir,
      superuserUrl,
      meiliPid: () => meili.pid,
      seeded,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bootstrapDatabase, onDatabase, TEST_ROLE_PASSWORDS, withClient } from './db/bootstrap.ts';
import { startEmbeddedMeilisearch } from './embedded/meilisearch.ts';
import { startEmbeddedPostgres } from './embedded/postgres.ts';
import type { ZhanqunProvided } from './provided.ts';

export const TEMPLATE_DB = 'zq_template';

/**
 * Once per Vitest run: a PostgreSQL cluster with a migrated template database, and a Meilisearch server.
 * TEST_PG_ADMIN_URL (a superuser URL) and TEST_MEILI_URL + TEST_MEILI_KEY use servers started elsewhere.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const workDir = await mkdtemp(join(tmpdir(), 'zq-test-'));
  // mkdtemp makes it private (0700); as root, PostgreSQL runs as 'postgres' and must be able to pass through.
  await chmod(workDir, 0o711);
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error('[testing] teardown:', e));
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    // allSettled, not all: when one fails, the other must have finished starting so teardown can stop it.
    const [pgResult, meiliResult] = await Promise.allSettled([
      (async () => {
        if (process.env.TEST_PG_ADMIN_URL) return process.env.TEST_PG_ADMIN_URL;
        const pg = await startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), persistent: false });
        stops.push(pg.stop);
        return pg.adminUrl;
      })(),
      (async () => {
        if (process.env.TEST_MEILI_URL) {
          const url = process.env.TEST_MEILI_URL.replace(/\/+$/, '');
          return { url, masterKey: process.env.TEST_MEILI_KEY ?? '', dataDir: '', port: Number(new URL(url).port) };
        }
        const m = await startEmbeddedMeilisearch({
          dataDir: join(workDir, 'meili'),
          masterKey: `test-${randomBytes(16).toString('hex')}`,
        });
        stops.push(m.stop);
        return m;
      })(),
    ]);
    if (pgResult.status === 'rejected') throw pgResult.reason;
    if (meiliResult.status === 'rejected') throw meiliResult.reason;
    const pgAdminUrl = pgResult.value;
    const meili = meiliResult.value;

    await withClient(pgAdminUrl, async (c) => {
      // Always a fresh template: against a long-lived server, one from an earlier run may predate edited migrations.
      await c.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
    });
    await bootstrapDatabase(pgAdminUrl, TEMPLATE_DB, TEST_ROLE_PASSWORDS);
    await withClient(pgAdminUrl, async (c) => {
      // Cloning fails while anyone is connected to the template, so close every session and let no new ones in.
      await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [TEMPLATE_DB]);
      await c.query(`alter database ${TEMPLATE_DB} with allow_connections false`);
    });

    const provided: ZhanqunProvided = {
      pgAdminUrl: onDatabase(pgAdminUrl, 'postgres'),
      pgTemplateDb: TEMPLATE_DB,
      pgOwnerPassword: TEST_ROLE_PASSWORDS.ownerPassword,
      pgAppPassword: TEST_ROLE_PASSWORDS.appPassword,
      meiliUrl: meili.url,
      meiliKey: meili.masterKey,
      meiliDbPath: meili.dataDir,
      meiliPort: meili.port,
    };
    for (const [key, value] of Object.entries(provided)) project.provide(key as keyof ZhanqunProvided, value as never);
    console.log(`[testing] PostgreSQL and Meilisearch ready in ${Math.round(performance.now() - started)} ms`);
    return teardown;
  } catch (e) {
    await teardown();
    throw e;
  }
}

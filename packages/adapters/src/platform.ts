import type { MikroORM } from '@mikro-orm/postgresql';
import { type Ctx, type CoreSettings, type JobPort, makeCtx, type PublicReadPort, SiteDirectory } from '@zhanqun/core';
import { jobPort } from './jobs/boss.ts';
import { loadSynonyms, MeiliSearchIndex } from './search/meili-index.ts';
import { Meilisearch } from 'meilisearch';
import { type Config, coreSettingsFrom } from './config.ts';
import { createOrm } from './db/orm.ts';
import { publicReads } from './db/public-reads.ts';
import { directoryLoader } from './db/site-directory-loader.ts';

/** The long-lived pieces a process (API, worker, CLI) shares: built once in main.ts, closed on shutdown. */
export interface Platform {
  config: Config;
  orm: MikroORM;
  directory: SiteDirectory;
  settings: CoreSettings;
  meili: Meilisearch;
  /** The public search index. */
  search: MeiliSearchIndex;
  /** The public read path (prepared statements on a pool of its own). */
  publicReads: PublicReadPort;
  /** Background jobs (pg-boss), started on first use. */
  jobs: JobPort;
  /** A context for operators' commands, seeding and jobs: platform-wide, named, audited. */
  systemCtx(name: string): Ctx;
  /** PostgreSQL and Meilisearch both answer. */
  ready(): Promise<{ postgres: boolean; meilisearch: boolean }>;
  close(): Promise<void>;
}

export async function createPlatform(
  config: Config,
  opts: { onQuery?: (sql: string) => void } = {},
): Promise<Platform> {
  const orm = await createOrm({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, onQuery: opts.onQuery });
  const directory = new SiteDirectory(directoryLoader(orm.em), { ttlMs: config.SITE_DIRECTORY_TTL_MS });
  const meili = new Meilisearch({
    host: config.MEILI_URL,
    apiKey: config.MEILI_MASTER_KEY,
    timeout: 5_000,
    // Small compressed answers often arrive ~40 ms late on loopback (Nagle + delayed ACK); plain ones do not (bench/).
    requestInit: { headers: { 'accept-encoding': 'identity' } },
  });
  const jobs = jobPort(config.DATABASE_URL);
  const reads = publicReads(config.DATABASE_URL, config.DATABASE_POOL_MAX, opts.onQuery);
  const search = new MeiliSearchIndex(meili, {
    // searchKey hands this address to browsers: the public one, never the internal one (issue 12).
    host: config.MEILI_PUBLIC_URL ?? config.MEILI_URL,
    indexUid: `${config.MEILI_INDEX_PREFIX}items`,
    synonyms: loadSynonyms(config.SEARCH_SYNONYMS_FILE),
  });
  return {
    config,
    orm,
    directory,
    settings: coreSettingsFrom(config),
    meili,
    jobs: jobs.port,
    search,
    publicReads: reads,
    systemCtx(name) {
      return makeCtx({
        actor: { kind: 'system', name },
        rootEm: orm.em,
        directory,
        settings: coreSettingsFrom(config),
        jobs: jobs.port,
        search,
      });
    },
    async ready() {
      const [postgres, meilisearch] = await Promise.all([
        orm.em
          .fork()
          .execute('select 1')
          .then(() => true)
          .catch(() => false),
        meili.isHealthy().catch(() => false),
      ]);
      return { postgres, meilisearch };
    },
    async close() {
      await jobs.stop();
      await reads.close();
      await orm.close(true);
    },
  };
}

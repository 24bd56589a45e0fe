import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type CoreSettings,
  type Ctx,
  type HtmlWorkPort,
  type JobPort,
  type ImportPort,
  type MediaPort,
  makeCtx,
  type ProofOfWorkPort,
  type PublicReadPort,
  SiteDirectory,
} from '@zhanqun/core';
import { mediaPortFrom, mediaTmpDir } from './media/media-port.ts';
import { importPort } from './import/import-port.ts';
import { htmlWorkPool } from './html/html-pool.ts';
import { altchaPort } from './interaction/altcha.ts';
import { jobPort } from './jobs/boss.ts';
import { loadSynonyms, MeiliSearchIndex } from './search/meili-index.ts';
import { Meilisearch } from 'meilisearch';
import { type Config, coreSettingsFrom } from './config.ts';
import { createOrm } from './db/orm.ts';
import { type PoolStats, poolStats, publicReads } from './db/public-reads.ts';
import { keepAliveJsonClient } from './search/keep-alive-client.ts';
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
  /** File storage and tools (media, issue 8). */
  media: MediaPort;
  /** Legacy sources and uploads (issue 11). */
  importer: ImportPort;
  /** Heavy HTML work on item bodies, in worker threads (ADR 0010). */
  html: HtmlWorkPort;
  /** The proof-of-work challenge of public writes (ALTCHA). */
  proofOfWork: ProofOfWorkPort;
  /** A context for operators' commands, seeding and jobs: platform-wide, named, audited. */
  systemCtx(name: string): Ctx;
  /** Connection pool use, for /metrics: the ORM's pool and the public read path's. */
  poolStats(): Promise<{ orm: PoolStats; publicReads: PoolStats }>;
  /** PostgreSQL and Meilisearch both answer. */
  /**
   * Each check answers within `timeoutMs` (default 500 ms) or counts as failed, so a hung dependency never hangs
   * the probe. Only the checks named in `wait` are waited for; the others report whether they answered by then.
   */
  ready(wait?: string[], timeoutMs?: number): Promise<{ postgres: boolean; meilisearch: boolean }>;
  close(): Promise<void>;
}

/** Well under a Kubernetes probe's 1 s default timeout, with room for the HTTP round trip. */
export const READY_CHECK_TIMEOUT_MS = 500;

/** A readiness check that fails, or does not answer in time, is simply not ready (the slow call is left to end). */
function withinTime(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check.catch(() => false), late]).finally(() => clearTimeout(timer));
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
  // Public searches go through a client of their own on a keep-alive node:http agent (issue 10; ADR 0022).
  const searchHttp = keepAliveJsonClient({ host: config.MEILI_URL, apiKey: config.MEILI_MASTER_KEY, timeoutMs: 5_000 });
  const jobs = jobPort(config.DATABASE_URL, {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryDelaySeconds: config.WEBHOOK_RETRY_DELAY_SECONDS,
  });
  const html = htmlWorkPool();
  const reads = publicReads(config.DATABASE_URL, config.DATABASE_POOL_MAX, opts.onQuery);
  const media = mediaPortFrom(config);
  const importer = importPort({ importDir: config.IMPORT_DIR, tmpDir: mediaTmpDir(config), storage: media.storage });
  const search = new MeiliSearchIndex(meili, {
    // searchKey hands this address to browsers: the public one, never the internal one (issue 12).
    host: config.MEILI_PUBLIC_URL ?? config.MEILI_URL,
    indexUid: `${config.MEILI_INDEX_PREFIX}items`,
    searchTransport: searchHttp,
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
    media,
    importer,
    html,
    proofOfWork: altchaPort({
      // Two secrets derived apart: the challenge signature and the derived-key signature never share a key.
      hmacSecret: `${config.altchaSecret}:challenge`,
      keySecret: `${config.altchaSecret}:key`,
      cost: config.ALTCHA_COST,
      maxCounter: config.ALTCHA_MAX_COUNTER,
      expiresSeconds: config.ALTCHA_EXPIRES_SECONDS,
    }),
    systemCtx(name) {
      return makeCtx({
        actor: { kind: 'system', name },
        rootEm: orm.em,
        directory,
        settings: coreSettingsFrom(config),
        jobs: jobs.port,
        search,
        media,
        html,
        importer,
      });
    },
    async poolStats() {
      const pool = await orm.em.getDriver().getConnection().getNativeClient();
      return { orm: poolStats(pool, config.DATABASE_POOL_MAX), publicReads: reads.stats() };
    },
    async ready(wait = ['postgres', 'meilisearch'], timeoutMs = READY_CHECK_TIMEOUT_MS) {
      const results = { postgres: false, meilisearch: false };
      const checks: Record<keyof typeof results, () => Promise<boolean>> = {
        postgres: () =>
          orm.em
            .fork()
            .execute('select 1')
            .then(() => true),
        meilisearch: () => meili.isHealthy(),
      };
      const running = Object.entries(checks).map(async ([name, run]) => {
        results[name as keyof typeof results] = await withinTime(run(), timeoutMs);
        return name;
      });
      // Only the checks asked for are waited for; the others report what they know by then.
      await Promise.all(running.filter((_, i) => wait.includes(Object.keys(checks)[i]!)));
      return { ...results };
    },
    async close() {
      await jobs.stop();
      await reads.close();
      searchHttp.close();
      await html.close();
      await media.close();
      await orm.close(true);
    },
  };
}

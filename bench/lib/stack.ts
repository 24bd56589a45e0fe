/**
 * The benchmark's data stack: embedded PostgreSQL 18 and Meilisearch 1.21 in a throwaway temp dir, the schema
 * migrated into database `zq_bench`, the demo city seeded through the real use cases, then a realistic amount of
 * content bulk-inserted with plain SQL as the schema owner (the owner is not subject to row-level security).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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

/** The column the benchmark reads: 米易县要闻. */
export const TARGET = { site: 'miyi', host: 'miyi.localhost', column: '/zwdt/yw' } as const;

export interface SeedCounts {
  /** Published items in the target column. */
  targetPublished: number;
  /** Drafts in the target column (placement not live). */
  targetDrafts: number;
  /** Published items in every other LIST column of every demo site. */
  otherPublished: number;
}

export const DEFAULT_COUNTS: SeedCounts = { targetPublished: 2_000, targetDrafts: 200, otherPublished: 5_000 };

export interface Stack {
  ownerUrl: string;
  appUrl: string;
  meiliUrl: string;
  meiliKey: string;
  /** Environment for loadConfig() that the API would run with (app role, production mode). */
  apiEnv: Record<string, string>;
  /** Ids of the target site and column (the bare floor is addressed by column id). */
  target: { siteId: string; columnId: string };
  seeded: SeedCounts & { columns: number; seconds: number };
  stop(): Promise<void>;
}

export async function startStack(log: (m: string) => void, counts: SeedCounts = DEFAULT_COUNTS): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'zq-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to traverse the data dir's parents.
  await chmod(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e) => log(`stop: ${e}`));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), persistent: false, log });
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
    const { target, columns } = await withClient(db.ownerUrl, (c) => seedContent(c as unknown as PgClient, counts));
    const seconds = (Date.now() - started) / 1000;
    log(
      `seeded the demo city and ${counts.targetPublished} published + ${counts.targetDrafts} draft items in ` +
        `${TARGET.site} ${TARGET.column}, ${counts.otherPublished} published items over ${columns} other columns ` +
        `(${seconds.toFixed(1)} s)`,
    );
    return {
      ownerUrl: db.ownerUrl,
      appUrl: db.appUrl,
      meiliUrl: meili.url,
      meiliKey,
      apiEnv,
      target,
      seeded: { ...counts, columns, seconds },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Content

interface ColumnRow {
  id: string;
  site_id: string;
  site_code: string;
  site_name: string;
  path: string;
  name: string;
}

interface Row {
  item: Record<string, unknown>;
  revision: Record<string, unknown>;
  placement: Record<string, unknown>;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same spread of dates. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TWO_YEARS_MS = 730 * 24 * 3600 * 1000;
const meetings = ['常务会议', '专题会议', '安全生产工作会议', '乡村振兴推进会议', '项目建设调度会议', '防汛工作会议'];
const authors = ['王芳', '李强', '张伟', '刘洋', '陈静', '杨帆'];

function shortName(siteName: string): string {
  return siteName.replace(/人民政府$/, '');
}

function makeRow(n: number, col: ColumnRow, published: boolean, rnd: () => number, now: number): Row {
  const id = randomUUID();
  const revisionId = randomUUID();
  const at = new Date(now - Math.floor(rnd() * TWO_YEARS_MS));
  const created = new Date(at.getTime() - Math.floor(rnd() * 48 * 3600 * 1000));
  const who = shortName(col.site_name);
  const title = `${who}召开第${n}次${meetings[n % meetings.length]}`;
  const summary = `${at.getFullYear()}年${at.getMonth() + 1}月${at.getDate()}日，${title}，研究部署${col.name}相关工作。`;
  const paragraphs = [
    summary,
    `会议传达学习了上级有关文件精神，听取了各部门工作情况汇报，对下一阶段重点任务作出安排。`,
    `会议强调，要坚持以人民为中心的发展思想，压实工作责任，加强统筹协调，确保各项任务落地见效。`,
    `会议要求，各乡镇、各部门要对照目标任务，倒排工期、挂图作战，及时报送工作进展情况。`,
  ];
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('');
  const content = {
    title,
    summary,
    body,
    source: `${col.site_name}办公室`,
    author: authors[n % authors.length],
    keywords: [],
  };
  const contentHash = createHash('sha256').update(JSON.stringify(content)).digest('hex');
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    item: {
      id,
      site_id: col.site_id,
      column_id: col.id,
      state: published ? 'PUBLISHED' : 'DRAFT',
      slug: `n-${n}`,
      title,
      head_revision_id: revisionId,
      published_revision_id: published ? revisionId : null,
      published_number: published ? 1 : null,
      published_at: published ? iso(at) : null,
      created_at: iso(created),
      updated_at: iso(published ? at : created),
    },
    revision: {
      id: revisionId,
      item_id: id,
      site_id: col.site_id,
      content,
      body_text: paragraphs.join('\n'),
      content_hash: contentHash,
      created_by_name: content.author,
      created_at: iso(created),
    },
    placement: {
      item_id: id,
      column_id: col.id,
      site_id: col.site_id,
      live: published,
      published_at: published ? iso(at) : null,
      created_at: iso(created),
    },
  };
}

/*
 * One statement per table and batch, rows passed as a single jsonb parameter. item and item_revision reference
 * each other, so items go in first without their revision ids, which are set once the revisions exist.
 */
const INSERT_ITEMS = `
insert into item (id, site_id, column_id, kind, state, translation_group_id, slug, title, head_number,
                  published_number, published_at, last_published_at, created_at, updated_at)
select x.id, x.site_id, x.column_id, 'ARTICLE', x.state, x.id, x.slug, x.title, 1,
       x.published_number, x.published_at, x.published_at, x.created_at, x.updated_at
from jsonb_to_recordset($1::jsonb) as x(id uuid, site_id uuid, column_id uuid, state text, slug text, title text,
     published_number int, published_at timestamptz, created_at timestamptz, updated_at timestamptz)`;
const INSERT_REVISIONS = `
insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, created_by_name, created_at)
select x.id, x.item_id, x.site_id, 1, x.content, x.body_text, x.content_hash, x.created_by_name, x.created_at
from jsonb_to_recordset($1::jsonb) as x(id uuid, item_id uuid, site_id uuid, content jsonb, body_text text,
     content_hash text, created_by_name text, created_at timestamptz)`;
const SET_REVISIONS = `
update item set head_revision_id = x.head_revision_id, published_revision_id = x.published_revision_id
from jsonb_to_recordset($1::jsonb) as x(id uuid, head_revision_id uuid, published_revision_id uuid)
where item.id = x.id`;
const INSERT_PLACEMENTS = `
insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, published_at, created_at)
select x.item_id, x.column_id, x.site_id, x.site_id, true, x.live, x.published_at, x.created_at
from jsonb_to_recordset($1::jsonb) as x(item_id uuid, column_id uuid, site_id uuid, live boolean,
     published_at timestamptz, created_at timestamptz)`;

async function insertBatch(c: PgClient, rows: Row[]): Promise<void> {
  const json = (xs: unknown[]) => JSON.stringify(xs);
  await c.query(INSERT_ITEMS, [json(rows.map((r) => r.item))]);
  await c.query(INSERT_REVISIONS, [json(rows.map((r) => r.revision))]);
  await c.query(SET_REVISIONS, [json(rows.map((r) => r.item))]);
  await c.query(INSERT_PLACEMENTS, [json(rows.map((r) => r.placement))]);
}

async function seedContent(c: PgClient, counts: SeedCounts): Promise<{ target: Stack['target']; columns: number }> {
  const { rows: columns } = await c.query<ColumnRow>(
    `select c.id, c.site_id, s.code as site_code, s.name as site_name, c.path, c.name
       from site_column c join site s on s.id = c.site_id
      where c.type = 'LIST' and not exists (select 1 from site_column k where k.parent_id = c.id)
      order by s.code, c.path`,
  );
  const target = columns.find((col) => col.site_code === TARGET.site && col.path === TARGET.column);
  if (!target) throw new Error(`the demo city has no LIST column ${TARGET.column} on ${TARGET.site}`);
  const others = columns.filter((col) => col !== target);
  if (others.length === 0) throw new Error('the demo city has no other LIST columns');

  const rnd = prng(20260101);
  const now = Date.now();
  let n = 0;
  const BATCH = 500;
  let batch: Row[] = [];
  const add = async (row: Row) => {
    batch.push(row);
    if (batch.length >= BATCH) {
      await insertBatch(c, batch);
      batch = [];
    }
  };
  await c.query('begin');
  try {
    for (let i = 0; i < counts.targetPublished; i++) await add(makeRow(++n, target, true, rnd, now));
    for (let i = 0; i < counts.targetDrafts; i++) await add(makeRow(++n, target, false, rnd, now));
    for (let i = 0; i < counts.otherPublished; i++) {
      await add(makeRow(++n, others[Math.floor(rnd() * others.length)]!, true, rnd, now));
    }
    if (batch.length) await insertBatch(c, batch);
    await c.query('commit');
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  }
  // As autovacuum would have by now on a live site: fresh statistics and a set visibility map.
  await c.query('vacuum (analyze) item, item_revision, item_placement');
  return { target: { siteId: target.site_id, columnId: target.id }, columns: others.length };
}

/**
 * Realistic government content for the read benchmark (issue 10): one county site (米易县) with 50 list columns,
 * N published items (default 100,000) spread over them, plus drafts and withdrawn items; ~200-character summaries
 * and ~3 KB Chinese HTML bodies made from a 政务 vocabulary (a fixed seed: every run seeds the same text).
 *
 * Seeded fast, as the schema owner (no row-level security): each batch of rows is sent once into an unlogged
 * staging table (one jsonb parameter), then set-based INSERTs fill item, item_revision, item_placement, the list
 * projection (item_listing, with the statement core uses) and the floor's plain table `articles`; VACUUM ANALYZE.
 */
import { createHash, randomUUID } from 'node:crypto';
import { listingInsertSql } from '../../packages/core/src/index.ts';
import { seededRandom } from '../../packages/importers/src/text/seeded-random.ts';
import { withClient } from '../../packages/testing/src/index.ts';
import type { PgClient } from './deps.ts';

export const SEED_SITE = { code: 'miyi', host: 'www.miyi.gov.cn', channel: 'lm' } as const;

export interface RealisticCounts {
  published: number;
  columns: number;
  drafts: number;
  withdrawn: number;
}

export interface RealisticSeed extends RealisticCounts {
  siteId: string;
  /** The 50 columns: id and path (`/lm/c01` …). */
  columnList: { id: string; path: string; name: string }[];
  /** Ids of published items, for the item-page scenario (a spread sample). */
  sampleItemIds: string[];
  /** The public addresses (`/lm/c07/a123.html`) of the same items, for the route scenario. */
  sampleItemPaths: string[];
  bytes: { summaryChars: number; bodyBytes: number };
  seconds: number;
}

/** Deterministic pseudo-random numbers (mulberry32, shared with the legacy-export generators). */
export const prng = seededRandom;

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary: the words and sentence shapes of a county government's news, notices and policy pages.

const COLUMN_NAMES = [
  '政务要闻',
  '通知公告',
  '部门动态',
  '乡镇动态',
  '政策文件',
  '政策解读',
  '人事信息',
  '财政预决算',
  '重点项目',
  '招商引资',
  '乡村振兴',
  '生态环境',
  '教育体育',
  '卫生健康',
  '民政服务',
  '社会保障',
  '住房保障',
  '交通运输',
  '水利建设',
  '农业农村',
  '文化旅游',
  '市场监管',
  '应急管理',
  '安全生产',
  '自然资源',
  '统计信息',
  '审计公告',
  '政府采购',
  '公共资源交易',
  '建议提案办理',
  '行政执法',
  '双随机一公开',
  '营商环境',
  '就业创业',
  '科技创新',
  '民族宗教',
  '退役军人',
  '林业草原',
  '防汛抗旱',
  '消防安全',
  '食品药品',
  '价格信息',
  '人大工作',
  '政协工作',
  '党风廉政',
  '新闻发布会',
  '在线访谈',
  '民生实事',
  '疫情防控',
  '政务公开',
];
const ORGS = [
  '县人民政府',
  '县发展改革局',
  '县财政局',
  '县教育和体育局',
  '县卫生健康局',
  '县农业农村局',
  '县住房城乡建设局',
  '县应急管理局',
  '县市场监督管理局',
  '县自然资源局',
  '县生态环境局',
  '县民政局',
  '县人力资源社会保障局',
  '县交通运输局',
  '县水利局',
  '县文化广播电视和旅游局',
];
const TOWNS = [
  '攀莲镇',
  '丙谷镇',
  '撒莲镇',
  '垭口镇',
  '白马镇',
  '普威镇',
  '草场镇',
  '得石镇',
  '湾丘彝族乡',
  '白坡彝族乡',
];
const ACTS = ['召开', '部署', '推进', '开展', '组织', '启动', '举办', '督导', '调研', '落实'];
const TOPICS = [
  '安全生产工作会议',
  '乡村振兴重点工作',
  '防汛减灾专项检查',
  '营商环境优化提升行动',
  '重点项目建设调度会',
  '民生实事推进会',
  '森林草原防灭火工作',
  '城乡环境综合治理',
  '农村人居环境整治',
  '义务教育质量提升',
  '基本公共卫生服务',
  '就业援助月活动',
  '食品安全专项整治',
  '政务服务“一网通办”',
  '高标准农田建设',
  '地质灾害隐患排查',
];
const TAILS = ['工作', '专题会议', '推进会', '培训班', '现场会', '动员会', '督查', '专项行动'];
const SUBJECTS = ['会议强调', '会议指出', '会议要求', '会上', '据介绍', '下一步', '与会人员表示', '据统计'];
const CLAUSES = [
  '要坚持以人民为中心的发展思想，切实把各项工作抓实抓细抓到位',
  '各乡镇、各部门要提高政治站位，压实工作责任，强化统筹协调',
  '要对照年度目标任务，倒排工期、挂图作战，确保按时保质完成',
  '要聚焦群众急难愁盼问题，持续改进工作作风，提升服务效能',
  '要加强隐患排查整治，坚决防范和遏制重特大事故发生',
  '要用好用活各项政策，推动资金、项目、人才等要素向基层倾斜',
  '要严格落实信息公开要求，及时回应社会关切，主动接受群众监督',
  '全县累计完成投资比上年同期增长百分之八点六，主要经济指标稳中有进',
  '各责任单位要建立工作台账，实行销号管理，定期报送工作进展情况',
  '要加强部门协同联动，形成工作合力，确保各项措施落地见效',
  '要深入基层一线开展调查研究，摸清底数，找准症结，精准施策',
  '要坚持问题导向和目标导向相结合，补齐短板弱项，巩固提升成果',
  '本次活动共发放宣传资料三千余份，现场解答群众咨询二百余人次',
  '要严格执行值班值守和信息报送制度，确保信息畅通、处置及时',
];
const SOURCES = [
  '米易县人民政府办公室',
  '米易县融媒体中心',
  '米易县发展和改革局',
  '攀枝花日报',
  '米易县应急管理局',
  '米易县教育和体育局',
];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

function sentence(rnd: () => number): string {
  return `${pick(rnd, SUBJECTS)}，${pick(rnd, CLAUSES)}，${pick(rnd, CLAUSES)}。`;
}

function textOf(rnd: () => number, minChars: number): string {
  let s = '';
  while (s.length < minChars) s += sentence(rnd);
  return s;
}

/**
 * ~`bytes` of UTF-8 government-news HTML: `<p>` paragraphs of ~90–170 characters, a `<h3>` sub-heading third.
 * Shared with the search bench (bench/lib/search-seed.ts), whose variants carry bodies of the same shape.
 */
export function governmentParagraphs(rnd: () => number, bytes: number): string {
  const out: string[] = [];
  let size = 0;
  let k = 0;
  while (size < bytes) {
    const p = k === 2 ? `<h3>一、${pick(rnd, TOPICS)}</h3>` : `<p>${textOf(rnd, 90 + Math.floor(rnd() * 80))}</p>`;
    out.push(p);
    size += Buffer.byteLength(p);
    k++;
  }
  return out.join('');
}

interface Generated {
  title: string;
  summary: string;
  body: string;
  source: string;
  kind: string;
  docNumber: string | null;
}

function generate(n: number, column: string, at: Date, rnd: () => number): Generated {
  const who = rnd() < 0.3 ? pick(rnd, TOWNS) : pick(rnd, ORGS);
  const policy = column === '政策文件';
  const title = policy
    ? `米易县人民政府关于${pick(rnd, ACTS)}${pick(rnd, TOPICS)}的通知`
    : `${who}${pick(rnd, ACTS)}${pick(rnd, TOPICS)}${rnd() < 0.5 ? pick(rnd, TAILS) : ''}`;
  const date = `${at.getFullYear()}年${at.getMonth() + 1}月${at.getDate()}日`;
  const summary = `${date}，${who}${pick(rnd, ACTS)}${pick(rnd, TOPICS)}。${textOf(rnd, 150)}`.slice(0, 200);
  // ~3 KB of UTF-8: ~1,000 Chinese characters in 6–8 paragraphs, a sub-heading and sometimes a small table.
  const first = `<p>${summary}</p>`;
  const paragraphs: string[] = [first, governmentParagraphs(rnd, 2_900 - Buffer.byteLength(first))];
  if (n % 7 === 0) {
    paragraphs.push(
      `<table><tr><th>乡镇</th><th>完成率</th></tr><tr><td>${pick(rnd, TOWNS)}</td><td>${80 + (n % 20)}%</td></tr></table>`,
    );
  }
  return {
    title,
    summary,
    body: paragraphs.join(''),
    source: pick(rnd, SOURCES),
    kind: policy ? 'POLICY_DOCUMENT' : column === '通知公告' ? 'NOTICE' : 'ARTICLE',
    docNumber: policy ? `米府发〔${at.getFullYear()}〕${(n % 97) + 1}号` : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// SQL

const STAGE = `create unlogged table if not exists bench_stage (
  id uuid, rid uuid, column_id uuid, site_id uuid, state text, kind text, slug text, title text, summary text,
  body text, body_text text, content_hash text, source text, doc_number text, published_at timestamptz,
  created_at timestamptz)`;
const STAGE_BATCH = `insert into bench_stage select * from jsonb_to_recordset($1::jsonb) as x(
  id uuid, rid uuid, column_id uuid, site_id uuid, state text, kind text, slug text, title text, summary text,
  body text, body_text text, content_hash text, source text, doc_number text, published_at timestamptz,
  created_at timestamptz)`;

const FROM_STAGE = [
  // item and item_revision reference each other; foreign keys are not checked during this load (see below).
  `insert into item (id, site_id, column_id, kind, state, translation_group_id, slug, title, head_revision_id,
     head_number, published_revision_id, published_number, published_at, last_published_at, withdrawn_at,
     withdrawn_reason, created_at, updated_at)
   select id, site_id, column_id, kind, state, id, slug, title, rid, 1,
          case when state = 'DRAFT' then null else rid end, case when state = 'DRAFT' then null else 1 end,
          published_at, published_at, case when state = 'WITHDRAWN' then published_at + interval '1 day' end,
          case when state = 'WITHDRAWN' then '信息有误，予以撤回' end, created_at, coalesce(published_at, created_at)
     from bench_stage`,
  `insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, created_by_name, created_at)
   select rid, id, site_id, 1, c, body_text, content_hash, '王芳', created_at
     from (select s.*, jsonb_build_object('title', title, 'subtitle', null, 'summary', summary, 'body', body,
             'source', source, 'author', '王芳', 'keywords', '[]'::jsonb, 'occurredAt', null,
             'attachments', '[]'::jsonb, 'images', '[]'::jsonb, 'docNumber', doc_number,
             'issuingBody', case when doc_number is null then null else '米易县人民政府' end,
             'writtenAt', null, 'issuedAt', null, 'validity', null, 'supersededById', null, 'topic', null) as c
             from bench_stage s) x`,
  `insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, published_at, created_at)
   select id, column_id, site_id, site_id, true, state = 'PUBLISHED', published_at, created_at from bench_stage`,
  // The projection, with the very statement core writes it with at publication.
  listingInsertSql('select id from bench_stage'),
  // The floor's plain table: the same rows, as a user of Fastify + pg would keep them.
  `insert into articles (id, column_id, slug, kind, title, summary, source, doc_number, body, published, published_at, created_at)
   select id, column_id, slug, kind, title, summary, source, doc_number, body, state = 'PUBLISHED', published_at, created_at
     from bench_stage`,
];

const ARTICLES = `create table if not exists articles (
  id uuid primary key, column_id uuid not null, slug text not null, kind text not null, title text not null, summary text,
  source text, doc_number text, body text not null, published boolean not null, published_at timestamptz,
  created_at timestamptz not null);
create index if not exists articles_column_idx on articles (column_id, published_at desc, id desc) where published;
create unique index if not exists articles_path_idx on articles (column_id, slug)`;

/** 50 list columns under a channel `/lm` of the site (the demo city's own columns are too few). */
async function createColumns(c: PgClient, siteId: string, count: number) {
  const now = new Date().toISOString();
  const channel = randomUUID();
  await c.query(
    `insert into site_column (id, site_id, code, path, name, type, update_class, created_at, updated_at)
     values ($1, $2, $3, $4, '信息公开栏目', 'LIST', 'DYNAMIC_2W', $5, $5)`,
    [channel, siteId, SEED_SITE.channel, `/${SEED_SITE.channel}`, now],
  );
  const list: RealisticSeed['columnList'] = [];
  for (let i = 0; i < count; i++) {
    const code = `c${String(i + 1).padStart(2, '0')}`;
    const name = COLUMN_NAMES[i % COLUMN_NAMES.length]!;
    const id = randomUUID();
    const path = `/${SEED_SITE.channel}/${code}`;
    await c.query(
      `insert into site_column (id, site_id, parent_id, code, path, name, type, update_class, sort_order, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, 'LIST', 'DYNAMIC_2W', $7, $8, $8)`,
      [id, siteId, channel, code, path, name, i, now],
    );
    list.push({ id, path, name });
  }
  return list;
}

const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

export async function seedRealistic(
  c: PgClient,
  superuserUrl: string,
  counts: RealisticCounts,
  log: (m: string) => void,
): Promise<RealisticSeed> {
  const started = Date.now();
  const { rows } = await c.query<{ id: string }>('select id from site where code = $1', [SEED_SITE.code]);
  const siteId = rows[0]?.id;
  if (!siteId) throw new Error(`the demo city has no site ${SEED_SITE.code}`);
  await c.query(STAGE);
  await c.query(ARTICLES);
  const columnList = await createColumns(c, siteId, counts.columns);
  const rnd = prng(20_261_128);
  const now = Date.now();
  const total = counts.published + counts.drafts + counts.withdrawn;
  const sampleItemIds: string[] = [];
  const sampleItemPaths: string[] = [];
  const sampleEvery = Math.max(1, Math.floor(counts.published / 2_000));
  let summaryChars = 0;
  let bodyBytes = 0;
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (batch.length) await c.query(STAGE_BATCH, [JSON.stringify(batch)]);
    batch = [];
  };
  for (let n = 0; n < total; n++) {
    const state = n < counts.published ? 'PUBLISHED' : n < counts.published + counts.drafts ? 'DRAFT' : 'WITHDRAWN';
    const col = columnList[n % columnList.length]!;
    const at = new Date(now - 3_600_000 - Math.floor(rnd() * THREE_YEARS_MS));
    const g = generate(n, col.name, at, rnd);
    summaryChars += g.summary.length;
    bodyBytes += Buffer.byteLength(g.body);
    const id = randomUUID();
    if (state === 'PUBLISHED' && n % sampleEvery === 0) {
      sampleItemIds.push(id);
      sampleItemPaths.push(`${col.path}/a${n}.html`);
    }
    batch.push({
      id,
      rid: randomUUID(),
      column_id: col.id,
      site_id: siteId,
      state,
      kind: g.kind,
      slug: `a${n}`,
      title: g.title,
      summary: g.summary,
      body: g.body,
      // Computed here rather than in SQL (regexp_replace and sha256 over 100,000 bodies were most of the load).
      body_text: g.body.replace(/<[^>]+>/g, ''),
      content_hash: createHash('sha256').update(id).update(g.body).digest('hex'),
      source: g.source,
      doc_number: g.docNumber,
      published_at: state === 'DRAFT' ? null : at.toISOString(),
      created_at: new Date(at.getTime() - 3_600_000).toISOString(),
    });
    if (batch.length >= 2_000) await flush();
    if ((n + 1) % 20_000 === 0) log(`generated ${n + 1} of ${total} items`);
  }
  await flush();
  const phase = (what: string, since: number) => log(`${what} in ${((Date.now() - since) / 1000).toFixed(1)} s`);
  phase(`generated and staged ${total} items`, started);
  // As the superuser with session_replication_role = replica: foreign keys are not checked row by row (the rows
  // come from one staging table and reference each other consistently), which a 100,000-row load would feel.
  await withClient(superuserUrl, async (su) => {
    await su.query('begin');
    try {
      await su.query("set local session_replication_role = 'replica'");
      // lz4 compresses the ~3 KB contents several times faster than the default pglz (where the server has it).
      await su.query('savepoint lz4');
      await su
        .query("set local default_toast_compression = 'lz4'")
        .then(() => log('TOAST compression: lz4'))
        .catch(() => su.query('rollback to savepoint lz4').then(() => log('TOAST compression: pglz (no lz4 here)')));
      for (const [i, sql] of FROM_STAGE.entries()) {
        const t0 = Date.now();
        await su.query(sql);
        phase(`  ${['item', 'item_revision', 'item_placement', 'item_listing', 'articles'][i]} filled`, t0);
      }
      await su.query('commit');
    } catch (e) {
      await su.query('rollback').catch(() => {});
      throw e;
    }
  });
  await c.query('drop table bench_stage');
  // As autovacuum would have by now on a live site: fresh statistics and a set visibility map.
  const vacuumed = Date.now();
  await c.query('vacuum (analyze) item, item_revision, item_placement, item_listing, articles, site_column');
  phase('vacuum (analyze)', vacuumed);
  return {
    ...counts,
    siteId,
    columnList,
    sampleItemIds,
    sampleItemPaths,
    bytes: { summaryChars: Math.round(summaryChars / total), bodyBytes: Math.round(bodyBytes / total) },
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Issue 11, end to end on a real PostgreSQL and Meilisearch: a township site's bundle imported into a subtree of
 * 米易县's portal (2017 §2) — plan, commit in batches with a simulated crash, three sign-offs, publication in one
 * transaction, search, old URLs (301) and removed content (410), re-runs; a department site's bundle with a --map.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addMember,
  createUser,
  creditCodeCheck,
  DEMO_PASSWORD,
  provisionSite,
  runImport,
  setSiteStatus,
} from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from '../helpers.ts';
import { pdfWith, photoWithGps } from '../media/fixtures.ts';

let t: TestApp;
const dir = join(tmpdir(), `zq-import-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');

const RUN = `query($id: ID!) { importRun(id: $id) { id state label system counts contentHash report
  progress { staged applied total batches percent } signOffs { level role userName contentHash } } }`;

async function gql(q: string, v: Record<string, unknown>, who: string) {
  const r = await t.gql(q, v, await t.tokenFor(who));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const run = async (id: string, who = demo.admin('miyi')) => (await gql(RUN, { id }, who)).importRun;

const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id state label } }';
const SIGN = 'mutation($i: SignImportRunInput!) { signImportRun(input: $i) { id state } }';
const sign = (id: string, level: number, who: string, contentHash?: string) =>
  t.gql(SIGN, { i: { id, level, contentHash } }, who);

const ROUTE = `query($p: String!) { route(host: "www.miyi.gov.cn", path: $p) { __typename
  ... on RedirectPage { status location } ... on GonePage { status } ... on ItemPage { item { id title } } } }`;
const route = async (p: string) => (await t.gql(ROUTE, { p })).data!.route;

/** The township's export: 5 columns, 24 published items, a draft, a bad line, files in an uploads folder. */
function writeTownship(variant: 'first' | 'second') {
  const src = join(dir, 'baiyi');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const columns = [
    {
      sourceId: '1',
      name: '通知公告',
      slug: 'tzgg',
      oldUrls: ['http://www.baiyi.gov.cn/tzgg/', '/plus/list.php?tid=1'],
    },
    { sourceId: '2', name: '镇务动态', slug: 'zwdt', oldUrls: ['/zwdt/'] },
    { sourceId: '3', name: '政策文件', slug: 'zcwj', oldUrls: ['/zcwj/'] },
    { sourceId: '4', name: '村务公开', slug: 'cwgk', oldUrls: ['/cwgk/'] },
    { sourceId: '5', name: '村务财务', slug: 'cwcw', parentSourceId: '4', oldUrls: ['/cwgk/cwcw/'] },
  ];
  const items: Record<string, unknown>[] = [
    {
      sourceId: '1',
      kind: 'document',
      columnSourceIds: ['3'],
      title: '白姑镇人民政府关于印发《2016年村务公开工作方案》的通知',
      bodyHtml:
        '<p style="text-align:center">白姑镇人民政府</p><p><img src="/uploads/allimg/160301/1-1.jpg"></p>' +
        '<p>详见<a href="http://www.baiyi.gov.cn/uploads/soft/fa.pdf">方案</a>及<a href="/zwdt/201603/2.html">动态</a>。</p>' +
        '<p><a href="http://www.gov.cn/">中国政府网</a></p><script>alert(1)</script>',
      source: '白姑镇党政办',
      publishedAt: '2016-03-01T09:00:00+08:00',
      govMeta: {
        docNumber: '白府发〔2016〕3号',
        issuingBody: '白姑镇人民政府',
        writtenAt: '2016-02-28',
        indexNumber: 'BG-2016-0003',
      },
      attachments: [{ url: '/uploads/soft/fa.pdf', name: '工作方案.pdf' }],
      oldUrls: ['/zcwj/201603/1.html', 'http://www.baiyi.gov.cn/plus/view.php?aid=1'],
    },
    {
      sourceId: '2',
      columnSourceIds: ['2'],
      title: variant === 'first' ? '白姑镇召开春耕备耕工作会' : '白姑镇召开春耕备耕工作会（更新）',
      bodyHtml: '<p>会议要求……</p><p><img src="/uploads/allimg/160302/missing.jpg"></p>',
      publishedAt: '2016-03-02T10:00:00+08:00',
      oldUrls: ['/zwdt/201603/2.html'],
    },
  ];
  const count = variant === 'first' ? 22 : 21; // the second export no longer has item 24
  for (let n = 3; n < 3 + count; n += 1)
    items.push({
      sourceId: String(n),
      columnSourceIds: [n % 2 ? '2' : '5'],
      title: n === 5 ? '白姑镇召开春耕备耕工作会' : `白姑镇村务动态第${n}期`,
      bodyHtml: `<p>第${n}期内容</p>`,
      publishedAt: `2017-0${(n % 9) + 1}-1${n % 10}T08:00:00+08:00`,
      oldUrls: [`/zwdt/2017/${n}.html`],
    });
  const lines = items.map((i) => JSON.stringify(i));
  lines.splice(3, 0, '{"sourceId":"x1","title":', JSON.stringify({ sourceId: 'd1', title: '草稿', status: 'draft' }));
  writeFileSync(join(src, 'columns.jsonl'), columns.map((c) => JSON.stringify(c)).join('\n'));
  writeFileSync(join(src, 'items.jsonl'), lines.join('\n'));
  writeFileSync(
    join(src, 'bundle.json'),
    JSON.stringify({ siteName: '白姑镇人民政府网', baseUrl: 'http://www.baiyi.gov.cn' }),
  );
}

beforeAll(async () => {
  mkdirSync(join(dir, 'baiyi-uploads/allimg/160301'), { recursive: true });
  mkdirSync(join(dir, 'baiyi-uploads/soft'), { recursive: true });
  writeFileSync(join(dir, 'baiyi-uploads/allimg/160301/1-1.jpg'), await photoWithGps(64, 48));
  writeFileSync(join(dir, 'baiyi-uploads/soft/fa.pdf'), pdfWith('Baigu village affairs plan'));
  writeTownship('first');
  t = await startTestApp({ search: true, env: { IMPORT_DIR: dir } });
  // One person with two roles, to prove the same person cannot sign twice.
  const ctx = t.platform.systemCtx('test:setup');
  await createUser(ctx, {
    email: 'both@miyi.zhanqun.local',
    name: '兼任审核人',
    password: DEMO_PASSWORD,
    site: 'miyi',
  });
  await addMember(ctx, { site: 'miyi', email: 'both@miyi.zhanqun.local', roles: ['EDITOR', 'REVIEWER'] });
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = {
  site: 'miyi',
  source: ['baiyi'],
  files: 'baiyi-uploads',
  into: '/zwdt/xzdt',
  label: '白姑镇人民政府网',
};
let firstRun: string;
let itemIds: string[];

describe('a township site into 米易县 (plan, commit, review, publish)', () => {
  it('plans without writing: column decisions, counts, skipped, warnings with lines, missing files, duplicates', async () => {
    const { startImport } = await gql(START, { i: { ...input, commit: false } }, demo.admin('miyi'));
    firstRun = startImport.id;
    expect(startImport.state).toBe('PLANNING');
    expect(await runImport(sys(), firstRun)).toBe('PLANNED');
    const r = await run(firstRun);
    expect(r.state).toBe('PLANNED');
    expect(r.system).toBe('bundle');
    const plan = r.report;
    expect(plan.counts).toMatchObject({ columns: 5, items: 25, toImport: 24, byStatus: { published: 24, draft: 1 } });
    expect(plan.skipped).toEqual([{ sourceId: 'd1', what: 'article', reason: 'DRAFT', title: '草稿' }]);
    expect(plan.warnings.map((w: { code: string; message: string }) => [w.code, w.message.slice(0, 13)])).toEqual([
      ['BAD_LINE', 'items.jsonl:4'],
    ]);
    // 通知公告 and 政策文件 land on the portal's own columns (2017 §2); the rest is created under --into.
    expect(plan.columns.map((c: { name: string; action: string; path: string }) => [c.name, c.action, c.path])).toEqual(
      [
        ['通知公告', 'MAP', '/zwdt/tzgg'],
        ['镇务动态', 'CREATE', '/zwdt/xzdt/zwdt'],
        ['政策文件', 'MAP', '/zc/zcwj'],
        ['村务公开', 'CREATE', '/zwdt/xzdt/cwgk'],
        ['村务财务', 'CREATE', '/zwdt/xzdt/cwgk/cwcw'],
      ],
    );
    expect(plan.missingFiles).toEqual([{ url: '/uploads/allimg/160302/missing.jpg', sourceId: '2' }]);
    expect(plan.counts.referencedFiles).toBe(4);
    expect(plan.duplicateTitles).toEqual([{ title: '白姑镇召开春耕备耕工作会', sourceIds: ['2', '5'] }]);
    expect(plan.encodings.map((e: { encoding: string }) => e.encoding)).toEqual(['utf-8', 'utf-8']);
    // Nothing written: no column, no item.
    const cols = await gql(
      `{ site(code: "miyi") { columns { path children { path children { path } } } } }`,
      {},
      demo.admin('miyi'),
    );
    expect(JSON.stringify(cols)).not.toContain('/zwdt/xzdt/zwdt');
  });

  it('refuses a source outside IMPORT_DIR, and an editor', async () => {
    const outside = await t.gql(
      START,
      { i: { ...input, source: ['../../etc'] } },
      await t.tokenFor(demo.admin('miyi')),
    );
    expect(reasonOf(outside)).toBe('IMPORT_PATH_OUTSIDE');
    const editor = await t.gql(START, { i: input }, await t.tokenFor(demo.editor('miyi')));
    expect(codeOf(editor)).toBe('FORBIDDEN');
  });

  it('a run committed from the start (one read) plans the same: its duplicate titles are asked of its staged records', async () => {
    const admin = demo.admin('panzhihua');
    const { startImport } = await gql(
      START,
      { i: { ...input, site: 'panzhihua', into: '/zwdt/qxdt', commit: true } },
      admin,
    );
    expect(await runImport(sys(), startImport.id)).toBe('IN_REVIEW');
    const { report, counts } = await run(startImport.id, admin);
    expect(report.duplicateTitles).toEqual([{ title: '白姑镇召开春耕备耕工作会', sourceIds: ['2', '5'] }]);
    expect(report.counts).toMatchObject({ items: 25, toImport: 24, duplicateTitles: 1 });
    expect(counts).toMatchObject({ 'ITEM.CREATED': 24 });
    // Staged, the run's tables were analysed by the app role itself (MAINTAIN, migration 0032): the statements that
    // apply it were planned knowing its records, not on statistics of an empty table.
    const owner = new pg.Client({ connectionString: t.db.ownerUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query(
        `select c.relname, c.reltuples, has_table_privilege('zhanqun_app', c.oid, 'MAINTAIN') as maintain
           from pg_class c where c.relname in ('import_record', 'import_old_path') order by 1`,
      );
      expect(rows.map((r) => r.maintain)).toEqual([true, true]);
      expect(rows.find((r) => r.relname === 'import_record').reltuples).toBeGreaterThanOrEqual(25);
    } finally {
      await owner.end();
    }
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: startImport.id }, admin);
  });

  it('commits in batches; a worker dying after two batches resumes to exact counts', async () => {
    // The site's editors see its runs (they may sign them), but committing one is an importer's.
    const byEditor = await t.gql(
      'mutation($id: ID!) { commitImport(id: $id) { id } }',
      { id: firstRun },
      await t.tokenFor(demo.editor('miyi')),
    );
    expect(codeOf(byEditor)).toBe('FORBIDDEN');
    expect((await run(firstRun)).state).toBe('PLANNED');
    await gql('mutation($id: ID!) { commitImport(id: $id) { id } }', { id: firstRun }, demo.admin('miyi'));
    expect(await runImport(sys(), firstRun, { batchSize: 5, stopAfterBatches: 2 })).toBe('STOPPED');
    let r = await run(firstRun);
    expect(r.state).toBe('APPLYING');
    expect(r.progress).toMatchObject({ applied: 10, total: 24, batches: 2, percent: 41.7 });
    expect(await runImport(sys(), firstRun, { batchSize: 5 })).toBe('IN_REVIEW');
    r = await run(firstRun);
    expect(r.counts).toEqual({
      'COLUMN.CREATED': 3,
      'COLUMN.UNCHANGED': 2,
      'ITEM.CREATED': 24,
      'SKIPPED.SKIPPED': 1,
    });
    expect(r.progress).toMatchObject({ applied: 24, total: 24, batches: 5, percent: 100 });
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const items = await gql(
      `{ items(site: "miyi", first: 100) { edges { node { id title state provenance { sourceId } } } } }`,
      {},
      demo.admin('miyi'),
    );
    const imported = items.items.edges.map((e: { node: any }) => e.node).filter((n: any) => n.provenance);
    expect(imported).toHaveLength(24);
    expect(new Set(imported.map((n: any) => n.state))).toEqual(new Set(['DRAFT']));
    itemIds = imported.map((n: any) => n.id);
  });

  it('nothing of the run is public before level 3', async () => {
    const pub = await t.gql(`{ items(site: "miyi", first: 100) { edges { node { id } } } }`, {});
    const ids = pub.data!.items.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids.filter((id: string) => itemIds.includes(id))).toEqual([]);
    expect((await route('/zcwj/201603/1.html')).__typename).toBe('NotFoundPage');
    await t.syncSearch();
    const s = await t.gql('{ search(query: "村务公开工作方案", site: "miyi") { edges { node { id } } } }', {});
    expect(s.data!.search.edges).toEqual([]);
  });

  it('three different people sign; the same person twice, an editor at level 2 and a stale hash are refused', async () => {
    const r = await run(firstRun);
    expect(codeOf(await sign(firstRun, 2, await t.tokenFor('both@miyi.zhanqun.local')))).toBe('PRECONDITION_FAILED');
    expect(codeOf(await sign(firstRun, 1, await t.tokenFor('both@miyi.zhanqun.local'), r.contentHash))).toBe('OK');
    expect(reasonOf(await sign(firstRun, 2, await t.tokenFor('both@miyi.zhanqun.local')))).toBe(
      'SIGNER_ALREADY_SIGNED',
    );
    expect(reasonOf(await sign(firstRun, 2, await t.tokenFor(demo.editor('miyi'))))).toBe('REVIEW_ROLE_REQUIRED');
    expect(codeOf(await sign(firstRun, 2, await t.tokenFor(demo.reviewer('miyi'))))).toBe('OK');
    expect(reasonOf(await sign(firstRun, 3, await t.tokenFor(demo.approver('miyi')), 'f'.repeat(64)))).toBe(
      'IMPORT_CHANGED',
    );
    const done = await sign(firstRun, 3, await t.tokenFor(demo.approver('miyi')), r.contentHash);
    expect(done.data!.signImportRun.state).toBe('PUBLISHED');
    const after = await run(firstRun);
    expect(after.signOffs.map((s: { level: number; role: string }) => [s.level, s.role])).toEqual([
      [1, 'EDITOR'],
      [2, 'REVIEWER'],
      [3, 'APPROVER'],
    ]);
    expect(new Set(after.signOffs.map((s: { contentHash: string }) => s.contentHash))).toEqual(
      new Set([r.contentHash]),
    );
  });

  it('publishes every item at once, with its legacy date, provenance, 文号, media and rewritten links', async () => {
    const { items } = await gql(
      `{ items(site: "miyi", first: 100) { edges { node { id state lastPublishedAt publishedAt timeliness } } } }`,
      {},
      demo.admin('miyi'),
    );
    const mine = items.edges.map((e: any) => e.node).filter((n: any) => itemIds.includes(n.id));
    expect(mine).toHaveLength(24);
    expect(new Set(mine.map((n: any) => n.state))).toEqual(new Set(['PUBLISHED']));
    // One transaction: one clock reading for all of them.
    expect(new Set(mine.map((n: any) => n.lastPublishedAt)).size).toBe(1);
    expect(mine.every((n: any) => n.timeliness === null)).toBe(true);
    const page = await route('/zcwj/201603/1.html');
    expect(page).toMatchObject({ __typename: 'RedirectPage', status: 301 });
    expect(page.location).toMatch(/^\/zc\/zcwj\/1\.html$/);
    const doc = (await route(page.location)).item;
    const full = await t.gql(
      `query($id: ID!) { item(id: $id) { title body publishedAt docNumber issuingBody writtenAt indexNumber source
        attachments { name url } provenance { system sourceId legacySite oldUrls originalPublishedAt } } }`,
      { id: doc.id },
    );
    const it = full.data!.item;
    expect(it.publishedAt).toBe('2016-03-01T01:00:00.000Z');
    expect(it.provenance).toEqual({
      system: 'bundle',
      sourceId: '1',
      legacySite: '白姑镇人民政府网',
      oldUrls: ['/zcwj/201603/1.html', '/plus/view.php?aid=1'],
      originalPublishedAt: '2016-03-01T01:00:00.000Z',
    });
    expect(it).toMatchObject({
      docNumber: '白府发〔2016〕3号',
      issuingBody: '白姑镇人民政府',
      writtenAt: '2016-02-28',
      indexNumber: 'BG-2016-0003',
    });
    expect(it.attachments).toEqual([
      { name: '工作方案.pdf', url: expect.stringMatching(/^\/media\/[0-9a-f-]{36}\/original$/) },
    ]);
    expect(it.body).toMatch(/<img src="\/media\/[0-9a-f-]{36}\/original"/);
    expect(it.body).toContain(`href="${it.attachments[0].url}"`);
    expect(it.body).toMatch(/href="\/zwdt\/xzdt\/zwdt\/2\.html"/);
    expect(it.body).toContain('href="http://www.gov.cn/"');
    expect(it.body).not.toContain('<script');
    // The old column URLs lead to the columns, the dynamic ?aid= to the item.
    expect(await route('/plus/view.php?aid=1')).toMatchObject({ __typename: 'RedirectPage', location: page.location });
    expect(await route('/cwgk/cwcw/')).toMatchObject({ __typename: 'RedirectPage', location: '/zwdt/xzdt/cwgk/cwcw/' });
    await t.syncSearch();
    const s = await t.gql('{ search(query: "村务公开工作方案", site: "miyi") { edges { node { id } } } }', {});
    expect(s.data!.search.edges.map((e: any) => e.node.id)).toContain(doc.id);
    // Missing files are on the record of the item that referred to them.
    const owner = new pg.Client({ connectionString: t.db.ownerUrl });
    await owner.connect();
    const { rows } = await owner.query(
      "select warnings from import_record where run_id = $1 and kind = 'ITEM' and source_id = '2'",
      [firstRun],
    );
    await owner.end();
    expect(rows[0].warnings).toEqual([{ code: 'FILE_MISSING', message: '/uploads/allimg/160302/missing.jpg' }]);
  });

  it('re-running the same source changes nothing; a changed source updates one item and answers 410 for one removed', async () => {
    const again = (await gql(START, { i: input }, demo.admin('miyi'))).startImport.id;
    expect(await runImport(sys(), again)).toBe('IN_REVIEW');
    expect((await run(again)).counts).toMatchObject({ 'ITEM.UNCHANGED': 24, 'COLUMN.UNCHANGED': 5 });
    expect((await run(again)).counts['ITEM.CREATED']).toBeUndefined();
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: again }, demo.admin('miyi'));
    writeTownship('second');
    const changed = (await gql(START, { i: input }, demo.admin('miyi'))).startImport.id;
    expect(await runImport(sys(), changed)).toBe('IN_REVIEW');
    const r = await run(changed);
    expect(r.counts).toMatchObject({ 'ITEM.UNCHANGED': 22, 'ITEM.UPDATED': 1 });
    for (const [level, who] of [
      [1, demo.editor('miyi')],
      [2, demo.reviewer('miyi')],
      [3, demo.approver('miyi')],
    ] as const)
      expect(codeOf(await sign(changed, level, await t.tokenFor(who), r.contentHash))).toBe('OK');
    expect(await route('/zwdt/2017/24.html')).toMatchObject({ __typename: 'GonePage', status: 410 });
    const moved = await route('/zwdt/201603/2.html');
    expect((await route(moved.location)).item.title).toBe('白姑镇召开春耕备耕工作会（更新）');
    const { items } = await gql(
      `{ items(site: "miyi", first: 100) { edges { node { id state provenance { sourceId } } } } }`,
      {},
      demo.admin('miyi'),
    );
    // Nothing duplicated: still the 24 items of the first run, the removed one withdrawn.
    const imported = items.edges.map((e: any) => e.node).filter((n: any) => n.provenance);
    expect(imported.map((n: any) => n.id).sort()).toEqual([...itemIds].sort());
    expect(imported.filter((n: any) => n.state === 'WITHDRAWN').map((n: any) => n.provenance.sourceId)).toEqual(['24']);
  });

  it('every step is audited', async () => {
    const { auditLog } = await gql(
      `{ auditLog(site: "miyi", first: 100) { edges { node { action targetId } } } }`,
      {},
      demo.admin('miyi'),
    );
    const actions = auditLog.edges
      .map((e: any) => e.node)
      .filter((n: any) => n.targetId === firstRun)
      .map((n: any) => n.action);
    expect(new Set(actions)).toEqual(
      new Set([
        'import.start',
        'import.plan',
        'import.commit',
        'import.stage',
        'import.columns',
        'import.applied',
        'import.signOff',
        'import.publish',
      ]),
    );
  });
});

describe('the register of legacy sites', () => {
  it('records a township site, flags it overdue, and attaches its old host when redirected', async () => {
    const up = `mutation($i: UpsertLegacySiteInput!) { upsertLegacySite(input: $i) { id state overdue oldHosts } }`;
    const { upsertLegacySite: row } = await gql(
      up,
      {
        i: {
          site: 'miyi',
          name: '白姑镇人民政府网',
          oldHosts: ['www.baiyi.gov.cn'],
          kind: 'TOWNSHIP',
          deadline: '2018-12-31',
          owner: '白姑镇党政办',
        },
      },
      demo.admin('miyi'),
    );
    expect(row).toMatchObject({ state: 'MIGRATING', overdue: true });
    await gql(
      up,
      { i: { site: 'miyi', id: row.id, name: '白姑镇人民政府网', kind: 'TOWNSHIP', state: 'REDIRECTED' } },
      demo.admin('miyi'),
    );
    const { legacySites } = await gql(`{ legacySites(site: "miyi") { name state overdue } }`, {}, demo.editor('miyi'));
    expect(legacySites).toEqual([{ name: '白姑镇人民政府网', state: 'REDIRECTED', overdue: false }]);
    const old = await t.gql(
      `{ route(host: "www.baiyi.gov.cn", path: "/zcwj/201603/1.html") { __typename ... on RedirectPage { status location } } }`,
      {},
    );
    expect(old.data!.route).toMatchObject({ __typename: 'RedirectPage', status: 301 });
    const denied = await t.gql(up, { i: { site: 'miyi', name: 'x' } }, await t.tokenFor(demo.editor('miyi')));
    expect(codeOf(denied)).toBe('FORBIDDEN');
  });
});

describe('a department site into a new department site, with a mapping file', () => {
  it('maps by file and by name, creates the rest at the top, keeps WordPress-style old URLs', async () => {
    const ctx = t.platform.systemCtx('test:provision');
    const first17 = '11510400000000777';
    await provisionSite(
      ctx,
      {
        code: 'wjw',
        name: '攀枝花市卫生健康委员会',
        kind: 'DEPARTMENT',
        parentCode: 'panzhihua',
        siteIdCode: '5104000077',
        organisation: { name: '攀枝花市卫生健康委员会', code: first17 + creditCodeCheck(first17) },
        domains: ['wjw.localhost'],
        admin: { email: 'admin@wjw.zhanqun.local', name: '卫健委站点管理员', password: DEMO_PASSWORD },
      },
      { visibleColumns: true },
    );
    await setSiteStatus(ctx, 'wjw', 'ONLINE', 'test');
    const src = join(dir, 'wjw');
    mkdirSync(src, { recursive: true });
    writeFileSync(
      join(src, 'columns.csv'),
      'sourceId,name,slug,oldUrls\r\n3,工作动态,news,/category/news/\r\n4,卫生监督,wsjd,/category/wsjd/\r\n',
    );
    writeFileSync(
      join(src, 'items.csv'),
      'sourceId,title,columnSourceIds,bodyHtml,publishedAt,oldUrls\r\n' +
        '101,市卫健委开展义诊活动,3,<p>义诊</p>,2019-05-06 10:00:00,/?p=101|/2019/05/06/yizhen/\r\n' +
        '102,食品安全抽检结果公示,4,<p>公示</p>,2020-01-02 09:00:00,/?p=102\r\n',
    );
    const admin = 'admin@wjw.zhanqun.local';
    const { startImport } = await gql(
      START,
      { i: { site: 'wjw', source: ['wjw'], map: { 3: '/gzdt' }, commit: false } },
      admin,
    );
    await runImport(sys(), startImport.id);
    const plan = (await run(startImport.id, admin)).report;
    expect(
      plan.columns.map((c: { name: string; action: string; path: string; why?: string }) => [c.name, c.action, c.path]),
    ).toEqual([
      ['工作动态', 'MAP', '/gzdt'],
      ['卫生监督', 'CREATE', '/wsjd'],
    ]);
    await gql('mutation($id: ID!) { commitImport(id: $id) { id } }', { id: startImport.id }, admin);
    expect(await runImport(sys(), startImport.id)).toBe('IN_REVIEW');
    expect((await run(startImport.id, admin)).counts).toMatchObject({ 'ITEM.CREATED': 2, 'COLUMN.CREATED': 1 });
    const { items } = await gql(
      `{ items(site: "wjw", first: 10) { edges { node { title state provenance { oldUrls originalPublishedAt } } } } }`,
      {},
      admin,
    );
    const byTitle = Object.fromEntries(items.edges.map((e: { node: { title: string } }) => [e.node.title, e.node]));
    expect(byTitle['市卫健委开展义诊活动']).toMatchObject({
      state: 'DRAFT',
      // A date without an offset is China time (+08:00).
      provenance: { oldUrls: ['/?p=101', '/2019/05/06/yizhen/'], originalPublishedAt: '2019-05-06T02:00:00.000Z' },
    });
  });
});

describe('two legacy sites of one system, with the same ids, into one column (2017 §2)', () => {
  it('keeps both: neither run overwrites the other, slugs stay distinct, and a re-run of each is unchanged', async () => {
    const admin = demo.admin('miyi');
    const write = (name: string, title: string) => {
      const src = join(dir, name);
      rmSync(src, { recursive: true, force: true });
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'columns.csv'), 'sourceId,name,slug,oldUrls\r\n1,乡镇动态,xzdt,/xzdt/\r\n');
      writeFileSync(
        join(src, 'items.csv'),
        'sourceId,title,columnSourceIds,bodyHtml,publishedAt,oldUrls\r\n' +
          `5,${title},1,<p>${title}</p>,2017-03-01 09:00:00,/${name}/5.html\r\n`,
      );
    };
    write('township-a', '甲镇召开春耕动员会');
    write('township-b', '乙镇开展森林防火宣传');
    const ids: string[] = [];
    for (const name of ['township-a', 'township-b']) {
      const { startImport } = await gql(
        START,
        { i: { site: 'miyi', source: [name], map: { 1: '/zwdt/tzgg' }, commit: true } },
        admin,
      );
      expect(startImport.label).toBe(name);
      expect(await runImport(sys(), startImport.id)).toBe('IN_REVIEW');
      expect((await run(startImport.id)).counts).toMatchObject({ 'ITEM.CREATED': 1 });
      ids.push(startImport.id);
    }
    const { items } = await gql(
      `{ items(site: "miyi", first: 100) { edges { node { title slug provenance { sourceId } } } } }`,
      {},
      admin,
    );
    const mine = items.edges
      .map((e: { node: { title: string; slug: string; provenance: { sourceId: string } | null } }) => e.node)
      .filter((n: { title: string }) => n.title === '甲镇召开春耕动员会' || n.title === '乙镇开展森林防火宣传');
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((n: { provenance: { sourceId: string } }) => n.provenance.sourceId))).toEqual(
      new Set(['5']),
    );
    expect(new Set(mine.map((n: { slug: string }) => n.slug)).size).toBe(2);
    // Each source again: its own item is recognised (unchanged), the other's is not touched.
    for (const name of ['township-a', 'township-b']) {
      const { startImport } = await gql(
        START,
        { i: { site: 'miyi', source: [name], map: { 1: '/zwdt/tzgg' }, commit: true } },
        admin,
      );
      expect(await runImport(sys(), startImport.id)).toBe('IN_REVIEW');
      expect((await run(startImport.id)).counts).toMatchObject({ 'ITEM.UNCHANGED': 1 });
    }
  });
});

describe('an IMPORT-scoped API token', () => {
  it('starts and follows runs of its own site, and cannot sign them', async () => {
    const created = await gql(
      `mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "迁移脚本", scopes: [IMPORT], expiresAt: $e }) { token } }`,
      { e: new Date(Date.now() + 86_400_000).toISOString() },
      demo.admin('miyi'),
    );
    const token = created.createApiToken.token as string;
    const started = await t.gql(START, { i: { ...input, commit: false, label: 'token run' } }, token);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startImport.id;
    const runs = await t.gql('{ importRuns(site: "miyi") { id } }', {}, token);
    expect(runs.data!.importRuns.map((r: { id: string }) => r.id)).toContain(id);
    expect(reasonOf(await sign(id, 1, token))).toBe('API_TOKEN_SCOPE');
    const other = await t.gql(START, { i: { ...input, site: 'edu' } }, token);
    expect(codeOf(other)).toBe('NOT_FOUND');
  });
});

/**
 * Issue 11 "Done means", as a new user would: a generated GBK DedeCMS site (mysqldump, uploads folder) into the
 * township subtree of 米易县's portal (2017 §2: township sites closed, folded into the county portal) — plan,
 * commit, re-run, sign; files through media, Chinese intact, #p# pages joined, old URLs 301, removed ones 410.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '@zhanqun/core';
import { dedeArticle, generateDedecms } from '@zhanqun/importers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, startTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
const dir = join(tmpdir(), `zq-import-dede-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');
const N = 240;

const RUN = `query($id: ID!) { importRun(id: $id) { id state error system counts contentHash report } }`;
async function gql(q: string, v: Record<string, unknown>, who?: string) {
  const r = await t.gql(q, v, who ? await t.tokenFor(who) : undefined);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const run = async (id: string) => (await gql(RUN, { id }, demo.admin('miyi'))).importRun;
const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id state } }';
const SIGN = 'mutation($i: SignImportRunInput!) { signImportRun(input: $i) { id state } }';
const ROUTE = `query($p: String!) { route(host: "www.miyi.gov.cn", path: $p) { __typename
  ... on RedirectPage { status location } ... on GonePage { status } ... on ItemPage { item { id title } } } }`;
const route = async (p: string) => (await t.gql(ROUTE, { p })).data!.route;

const generate = (items: number) =>
  generateDedecms({
    outDir: join(dir, 'miyi-dede'),
    items,
    style: 'mysqldump',
    encoding: 'gbk',
    uploadsDir: join(dir, 'miyi-dede-site'),
  });

async function signAll(id: string) {
  const { contentHash } = await run(id);
  for (const [level, who] of [
    [1, demo.editor('miyi')],
    [2, demo.reviewer('miyi')],
    [3, demo.approver('miyi')],
  ] as const) {
    const res = await t.gql(SIGN, { i: { id, level, contentHash } }, await t.tokenFor(who));
    expect(codeOf(res), JSON.stringify(res.errors)).toBe('OK');
  }
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  t = await startTestApp({ search: true, env: { IMPORT_DIR: dir } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = { site: 'miyi', source: ['miyi-dede'], files: 'miyi-dede-site', into: '/zwdt/xzdt' };
let runId: string;
let missing: { url: string; sourceId: string }[] = [];
let gen: Awaited<ReturnType<typeof generate>>;

const ITEM = `query($id: ID!) { item(id: $id) { id title body publishedAt state timeliness source
  attachments { name url } provenance { system sourceId oldUrls originalPublishedAt } } }`;
/** The published articles of the generator (arcrank 0, article channel), by id. */
const publishedIds = (n: number) =>
  Array.from({ length: n }, (_, k) => dedeArticle(k + 1)).filter((a) => a.channel === 1 && a.arcrank === 0);

// Applying 219 items with their files through media takes ~25 s alone on the 2-core machine; more under load.
describe('a GBK DedeCMS site into 米易县 /zwdt/xzdt', () => {
  it('plans: GBK detected, columns mapped into the township subtree, refused records with reasons, missing files', async () => {
    gen = await generate(N);
    runId = (await gql(START, { i: { ...input, commit: false } }, demo.admin('miyi'))).startImport.id;
    await runImport(sys(), runId);
    const r = await run(runId);
    expect(r.state, r.error).toBe('PLANNED');
    expect(r.system).toBe('dedecms');
    const plan = r.report;
    expect(plan.encodings).toEqual([{ where: 'dump.sql', encoding: 'gb18030', how: 'declared' }]);
    // 218 published articles and the 机构概况 page; pending, trash, members-only and software rows refused.
    expect(gen.counts).toMatchObject({ published: 218, pending: 7, trash: 6, private: 5, unsupported: 4 });
    expect(plan.counts).toMatchObject({
      columns: 8,
      items: 219,
      toImport: 219,
      byKind: { article: 218, page: 1 },
      skippedByReason: { PENDING: 7, TRASH: 6, PRIVATE: 5, UNSUPPORTED_TYPE: 4 },
      missingFiles: 7,
    });
    const cols = Object.fromEntries(
      plan.columns.map((c: { name: string; action: string; path: string }) => [c.name, `${c.action} ${c.path}`]),
    );
    // 2017 §2: the township's 政务公开 is the portal's 政府信息公开; its 机构概况 is created in the township's subtree.
    expect(cols).toMatchObject({
      政务公开: 'MAP /zwgk',
      通知公告: 'MAP /zwdt/tzgg',
      政策文件: 'MAP /zc/zcwj',
      乡镇动态: 'MAP /zwdt/xzdt',
      机构概况: 'CREATE /zwdt/xzdt/jggk',
    });
    missing = plan.missingFiles;
    expect(plan.missingFiles[0]).toEqual({ url: expect.stringMatching(/^\/uploads\//), sourceId: expect.any(String) });
    expect(plan.warnings.map((w: { code: string }) => w.code)).toContain('TITLE_RESTORED');
  });

  it('commits into drafts; the Chinese titles are the generator’s, #p# pages joined, files through media', async () => {
    await gql('mutation($id: ID!) { commitImport(id: $id) { id } }', { id: runId }, demo.admin('miyi'));
    expect(await runImport(sys(), runId)).toBe('IN_REVIEW');
    const r = await run(runId);
    expect(r.counts).toMatchObject({
      'ITEM.CREATED': 219,
      'COLUMN.CREATED': 3,
      'COLUMN.UNCHANGED': 5,
      'SKIPPED.SKIPPED': 22,
    });
    expect(r.counts['ITEM.FAILED']).toBeUndefined();
    await signAll(runId);
    expect((await run(runId)).state).toBe('PUBLISHED');
  }, 180_000);

  it('the items are public with their legacy dates; old .html and view.php?aid= URLs answer 301', async () => {
    const known = publishedIds(N);
    const byRoute = async (aid: number) => {
      const moved = await route(`/plus/view.php?aid=${aid}`);
      expect(moved, String(aid)).toMatchObject({ __typename: 'RedirectPage', status: 301 });
      const page = await route(moved.location);
      return (await gql(ITEM, { id: page.item.id })).item;
    };
    // Titles: no mojibake; a title cut by char(60) restored from the body.
    for (const a of known.filter((x) => [1, 2, 3, 23, 46].includes(x.id))) {
      const it = await byRoute(a.id);
      expect(it.title).toBe(a.id % 23 === 0 ? a.fullTitle : a.title);
      expect(it.source).toBe(a.source);
      expect(it.publishedAt).toBe(new Date(a.pubdate * 1000).toISOString());
      expect(it.provenance.originalPublishedAt).toBe(it.publishedAt);
      expect(it.timeliness).toBeNull();
    }
    // #p# pages joined: one item, no marker, the page title kept as a heading.
    const paged = known.find((a) => a.pages > 1 && a.ismake === 1)!;
    const it = await byRoute(paged.id);
    expect(it.body).not.toContain('#p#');
    expect(it.body).toContain('第三部分 保障措施');
    // The static page of the old site and its page 2 lead to the same item.
    const html = it.provenance.oldUrls.find((u: string) => /\/\d+\.html$/.test(u) && !u.startsWith('/plus/'));
    expect(html).toMatch(/^\/a\//);
    const viaHtml = await route(html);
    expect(viaHtml).toMatchObject({ __typename: 'RedirectPage', status: 301 });
    expect(await route(html.replace(/\.html$/, '_2.html'))).toMatchObject({ location: viaHtml.location });
    // Images in bodies and attachments went through media (content-addressed): /media/… URLs, no /uploads/ left.
    // (the generator leaves about 2% of the files out on purpose: take an article whose PDF is there)
    const pdfOf = (a: (typeof known)[number]) => a.uploads.find((u) => u.kind === 'pdf');
    const withFile = known.find((a) => pdfOf(a) && existsSync(join(dir, 'miyi-dede-site', pdfOf(a)!.url)))!;
    const withPdf = await byRoute(withFile.id);
    // Files found are not warned about; a file the uploads folder lacks is on its item's record (and in the plan).
    const owner = new pg.Client({ connectionString: t.db.ownerUrl });
    await owner.connect();
    const warningsOf = async (sourceId: string) =>
      (
        await owner.query("select warnings from import_record where run_id = $1 and source_id = $2 and kind = 'ITEM'", [
          runId,
          sourceId,
        ])
      ).rows[0].warnings;
    expect(await warningsOf(String(withFile.id))).toEqual([]);
    expect(await warningsOf(missing[0]!.sourceId)).toContainEqual({ code: 'FILE_MISSING', message: missing[0]!.url });
    // Every file the dump lists (dede_uploads) says what became of it: in media, or missing from the uploads folder.
    const files = (
      await owner.query<{ outcome: string | null; media_id: string | null; warnings: unknown[]; url: string }>(
        "select outcome, media_id, warnings, payload->>'url' as url from import_record where run_id = $1 and kind = 'FILE'",
        [runId],
      )
    ).rows;
    await owner.end();
    const counts = (await run(runId)).counts as Record<string, number>;
    const created = files.filter((f) => f.outcome === 'CREATED');
    const failed = files.filter((f) => f.outcome === 'FAILED');
    expect(created.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(counts['FILE.CREATED']).toBe(created.length);
    expect(counts['FILE.FAILED']).toBe(failed.length);
    expect(created.every((f) => f.media_id && existsSync(join(dir, 'miyi-dede-site', f.url)))).toBe(true);
    // Failed: missing from the uploads folder (and in the plan's missing list), or there but refused by media.
    for (const f of failed) {
      const there = existsSync(join(dir, 'miyi-dede-site', f.url));
      const [w] = f.warnings as { code: string; message: string }[];
      if (there) expect(w, f.url).toMatchObject({ code: 'FILE_REFUSED', message: expect.stringContaining(':') });
      else {
        expect(f.warnings).toEqual([{ code: 'FILE_MISSING', message: f.url }]);
        expect(missing.map((m) => m.url)).toContain(f.url);
      }
    }
    expect(failed.some((f) => (f.warnings[0] as { code: string }).code === 'FILE_MISSING')).toBe(true);
    expect(withPdf.body).toMatch(/<img src="\/media\/[0-9a-f-]{36}\/original"/);
    expect(withPdf.attachments).toContainEqual({
      name: expect.stringContaining('工作责任分解表'),
      url: expect.stringMatching(/^\/media\//),
    });
    expect(withPdf.body).not.toContain('/uploads/');
    await t.syncSearch();
    const s = await t.gql('query($q: String!) { search(query: $q, site: "miyi") { edges { node { id } } } }', {
      q: known[0]!.title,
    });
    expect(s.data!.search.edges.length).toBeGreaterThan(0);
  });

  it('a re-run changes nothing; a dump without its last articles withdraws them, their old URLs answer 410', async () => {
    const again = (await gql(START, { i: input }, demo.admin('miyi'))).startImport.id;
    expect(await runImport(sys(), again)).toBe('IN_REVIEW');
    const r = await run(again);
    expect(r.counts).toMatchObject({ 'ITEM.UNCHANGED': 219, 'COLUMN.UNCHANGED': 8 });
    expect(r.counts['ITEM.CREATED']).toBeUndefined();
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: again }, demo.admin('miyi'));
    await generate(N - 10);
    const removed = publishedIds(N).filter((a) => a.id > N - 10);
    expect(removed.length).toBeGreaterThan(3);
    const shorter = (await gql(START, { i: input }, demo.admin('miyi'))).startImport.id;
    expect(await runImport(sys(), shorter)).toBe('IN_REVIEW');
    expect((await run(shorter)).counts).toMatchObject({ 'ITEM.UNCHANGED': 219 - removed.length });
    await signAll(shorter);
    for (const a of removed)
      expect(await route(`/plus/view.php?aid=${a.id}`), String(a.id)).toMatchObject({
        __typename: 'GonePage',
        status: 410,
      });
    const kept = publishedIds(N - 10).at(-1)!;
    expect(await route(`/plus/view.php?aid=${kept.id}`)).toMatchObject({ __typename: 'RedirectPage', status: 301 });
  }, 180_000);
});

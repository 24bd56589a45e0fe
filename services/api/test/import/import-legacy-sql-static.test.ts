/**
 * Issue 11, the other real adapters through the platform (real PostgreSQL): a PHPCMS v9 dump (phpMyAdmin, UTF-8)
 * and a static-site snapshot (the wget mirror fixture: TRS, Hanweb, DedeCMS and hand-made pages, GBK and UTF-8),
 * each planned and committed into a department site, with counts and a few fields checked.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { creditCodeCheck, DEMO_PASSWORD, provisionSite, runImport, setSiteStatus } from '@zhanqun/core';
import { generatePhpcms } from '@zhanqun/importers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSnapshot } from '../../../../packages/importers/src/static/snapshot.test-helper.ts';
import { startTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
const dir = join(tmpdir(), `zq-import-sql-static-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');

const RUN = `query($id: ID!) { importRun(id: $id) { id state error system counts report } }`;
async function gql(q: string, v: Record<string, unknown>, who?: string) {
  const r = await t.gql(q, v, who ? await t.tokenFor(who) : undefined);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id state } }';
const ITEMS = (site: string) => `{ items(site: "${site}", first: 100) { edges { node { id title state publishedAt source
  provenance { system sourceId oldUrls originalPublishedAt } } } } }`;

async function department(code: string, name: string, n: string) {
  const ctx = t.platform.systemCtx('test:provision');
  const first17 = `115104000000${n}`;
  await provisionSite(
    ctx,
    {
      code,
      name,
      kind: 'DEPARTMENT',
      parentCode: 'panzhihua',
      siteIdCode: `51040000${n.slice(-2)}`,
      organisation: { name, code: first17 + creditCodeCheck(first17) },
      domains: [`${code}.localhost`],
      admin: { email: `admin@${code}.zhanqun.local`, name: `${name}管理员`, password: DEMO_PASSWORD },
    },
    { visibleColumns: true },
  );
  await setSiteStatus(ctx, code, 'ONLINE', 'test');
  return `admin@${code}.zhanqun.local`;
}

/** Plan, then commit: the plan's report and the committed run. */
async function planAndCommit(i: Record<string, unknown>, admin: string) {
  const id = (await gql(START, { i: { ...i, commit: false } }, admin)).startImport.id;
  await runImport(sys(), id);
  const planned = (await gql(RUN, { id }, admin)).importRun;
  expect(planned.state, planned.error).toBe('PLANNED');
  await gql('mutation($id: ID!) { commitImport(id: $id) { id } }', { id }, admin);
  expect(await runImport(sys(), id)).toBe('IN_REVIEW');
  return { plan: planned.report, system: planned.system, run: (await gql(RUN, { id }, admin)).importRun };
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  t = await startTestApp({ env: { IMPORT_DIR: dir } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a PHPCMS v9 dump into a department site', () => {
  it('plans and commits: counts, refused rows with reasons, Chinese titles, legacy dates, old URLs', async () => {
    const gen = await generatePhpcms({
      outDir: join(dir, 'fgw-phpcms'),
      items: 60,
      style: 'phpmyadmin',
      encoding: 'utf-8',
      uploadsDir: join(dir, 'fgw-phpcms-site'),
    });
    const admin = await department('fgw', '攀枝花市发展和改革委员会', '88877');
    const { plan, system, run } = await planAndCommit(
      { site: 'fgw', source: ['fgw-phpcms'], files: 'fgw-phpcms-site' },
      admin,
    );
    expect(system).toBe('phpcms');
    expect(gen.counts).toMatchObject({ published: 57, pending: 1, rejected: 1, links: 1 });
    // 57 news and the 机构概况 page; a row waiting at a workflow step, a 退稿 and a link item refused.
    expect(plan.counts).toMatchObject({
      items: 58,
      toImport: 58,
      byKind: { article: 57, page: 1 },
      skippedByReason: { PENDING: 1, DRAFT: 1, UNSUPPORTED_TYPE: 1 },
    });
    expect(plan.warnings.map((w: { code: string }) => w.code)).toEqual(['LINK_ITEM']);
    // The thumbnails PHPCMS made (…_thumb.jpg) are not in the uploads folder: listed as missing, nothing else is.
    expect(plan.missingFiles.every((m: { url: string }) => m.url.endsWith('_thumb.jpg'))).toBe(true);
    expect(plan.columns.find((c: { name: string }) => c.name === '通知公告')).toMatchObject({
      action: 'MAP',
      path: '/tzgg',
    });
    expect(run.counts).toMatchObject({ 'ITEM.CREATED': 58, 'SKIPPED.SKIPPED': 3 });
    expect(run.counts['ITEM.FAILED']).toBeUndefined();
    const { items } = await gql(ITEMS('fgw'), {}, admin);
    expect(items.edges).toHaveLength(58);
    const one = items.edges.map((e: any) => e.node).find((n: any) => n.provenance.sourceId === '23');
    expect(one).toMatchObject({
      title: '米易县应急管理局召开森林草原防灭火工作推进会',
      state: 'DRAFT',
      source: '米易县应急管理局',
      provenance: {
        system: 'phpcms',
        oldUrls: ['/html/zwgk/tzgg/2012/0301/23.html', '/index.php?m=content&c=index&a=show&catid=2&id=23'],
        originalPublishedAt: '2012-03-01T07:21:25.000Z',
      },
    });
  });
});

describe('a static-site snapshot into a department site', () => {
  it('plans and commits: pages read as items with their dates and old URLs', async () => {
    await writeSnapshot(join(dir, 'tjj-site'));
    const admin = await department('tjj', '攀枝花市统计局', '88866');
    const { plan, system, run } = await planAndCommit({ site: 'tjj', source: ['tjj-site'] }, admin);
    expect(system).toBe('static');
    // Six article pages; the home, search and four list pages refused with their reason.
    expect(plan.counts).toMatchObject({
      items: 6,
      toImport: 6,
      byKind: { article: 5, document: 1 },
      skippedByReason: { LIST_PAGE: 4, UNSUPPORTED_TYPE: 2 },
    });
    expect(plan.skipped.map((x: { sourceId: string; reason: string }) => [x.sourceId, x.reason])).toContainEqual([
      '/index.html',
      'UNSUPPORTED_TYPE',
    ]);
    // The wget mirror kept only the pages: the files they refer to are listed as missing.
    expect(plan.counts.missingFiles).toBe(6);
    expect(run.counts).toMatchObject({ 'ITEM.CREATED': 6, 'SKIPPED.SKIPPED': 6 });
    const { items } = await gql(ITEMS('tjj'), {}, admin);
    const bySource = Object.fromEntries(items.edges.map((e: any) => [e.node.provenance.sourceId, e.node]));
    expect(bySource['/a/news/2019/0305/12.html']).toMatchObject({
      title: '丙谷镇召开2019年脱贫攻坚推进会',
      source: '丙谷镇党政办',
      provenance: {
        system: 'static',
        oldUrls: ['/a/news/2019/0305/12.html', '/plus/view.php?aid=12', '/a/news/2019/0305/12_2.html'],
      },
    });
    expect(bySource['/zwgk/tzgg/202103/t20210305_123.html'].title).toBe('关于做好2021年春季森林草原防灭火工作的通知');
  });
});

/**
 * Issue 11 "Done means", in one path, as a new user would walk it through the API: the WordPress theme unit test
 * export into a NEW department site (provisioned through GraphQL, its three signers created through GraphQL), and
 * a generated GBK DedeCMS site into 米易县's township subtree /zwdt/xzdt (2017 §2); both re-run (nothing
 * duplicated, exact counts), both signed at three levels by three different people (2015 §12), the items public
 * with their legacy dates, old URLs answering 301 to their new homes (which keep the legacy slugs) and a removed
 * one 410. The corpus part skips, saying so, on a checkout without ../shared (ZQ_CORPORA_DIR points elsewhere).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { creditCodeCheck, DEMO_PASSWORD, runImport } from '@zhanqun/core';
import { dedeArticle, generateDedecms } from '@zhanqun/importers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, startTestApp, type TestApp } from '../helpers.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const WXR = resolve(
  process.env.ZQ_CORPORA_DIR ?? resolve(repo, '../shared/corpora'),
  'wordpress/themeunittestdata.wordpress.xml',
);
const haveCorpus = existsSync(WXR);
if (!haveCorpus) console.warn(`[import-done-means] ${WXR} not found: the WordPress part is skipped`);

let t: TestApp;
const dir = join(tmpdir(), `zq-import-done-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');
const N = 120;

async function gql(q: string, v: Record<string, unknown>, who?: string) {
  const r = await t.gql(q, v, who ? await t.tokenFor(who) : undefined);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const RUN = `query($id: ID!) { importRun(id: $id) { id state error counts contentHash
  signOffs { level role userName } } }`;
const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id state } }';
const SIGN = 'mutation($i: SignImportRunInput!) { signImportRun(input: $i) { id state } }';
const ROUTE = `query($h: String!, $p: String!) { route(host: $h, path: $p) { __typename
  ... on RedirectPage { status location } ... on GonePage { status } ... on ItemPage { item { id title } } } }`;
const ITEM = `query($id: ID!) { item(id: $id) { id title state publishedAt timeliness
  provenance { system sourceId originalPublishedAt } } }`;
const route = async (h: string, p: string) => (await t.gql(ROUTE, { h, p })).data!.route;

/** Starts a committed run, lets the worker's function carry it out, and returns it. */
async function importAs(who: string, input: Record<string, unknown>) {
  const id = (await gql(START, { i: input }, who)).startImport.id;
  expect(await runImport(sys(), id)).toBe('IN_REVIEW');
  return (await gql(RUN, { id }, who)).importRun;
}
async function signAll(id: string, who: string, signers: [string, string, string]) {
  const { contentHash } = (await gql(RUN, { id }, who)).importRun;
  for (const [i, signer] of signers.entries()) {
    const res = await t.gql(SIGN, { i: { id, level: i + 1, contentHash } }, await t.tokenFor(signer));
    expect(codeOf(res), JSON.stringify(res.errors)).toBe('OK');
  }
  const done = (await gql(RUN, { id }, who)).importRun;
  expect(done.state).toBe('PUBLISHED');
  expect(done.signOffs.map((s: { role: string }) => s.role)).toEqual(['EDITOR', 'REVIEWER', 'APPROVER']);
  expect(new Set(done.signOffs.map((s: { userName: string }) => s.userName)).size).toBe(3);
}
/** An old URL answers 301; the new home is a public item with its legacy date (not re-dated, outside timeliness). */
async function follow(host: string, old: string) {
  const moved = await route(host, old);
  expect(moved, old).toMatchObject({ __typename: 'RedirectPage', status: 301 });
  const page = await route(host, moved.location);
  expect(page.__typename, moved.location).toBe('ItemPage');
  const { item } = await gql(ITEM, { id: page.item.id });
  expect(item.state).toBe('PUBLISHED');
  expect(item.timeliness).toBeNull();
  expect(item.publishedAt).toBe(item.provenance.originalPublishedAt);
  return { location: moved.location as string, item };
}

beforeAll(async () => {
  mkdirSync(join(dir, 'wp'), { recursive: true });
  if (haveCorpus) copyFileSync(WXR, join(dir, 'wp', 'themeunittestdata.wordpress.xml'));
  t = await startTestApp({ search: true, env: { IMPORT_DIR: dir } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sfj = {
  admin: 'admin@sfjd.zhanqun.local',
  editor: 'editor@sfjd.zhanqun.local',
  reviewer: 'reviewer@sfjd.zhanqun.local',
  approver: 'approver@sfjd.zhanqun.local',
};

describe.skipIf(!haveCorpus)('the WordPress theme unit test export into a new department site', () => {
  it('a platform admin provisions the site, its admin creates the three signers (all through the API)', async () => {
    const first17 = '11510400000000777';
    await gql(
      `mutation($i: ProvisionSiteInput!) { provisionSite(input: $i) { code } }`,
      {
        i: {
          code: 'sfjd',
          name: '攀枝花市司法局',
          kind: 'DEPARTMENT',
          parentCode: 'panzhihua',
          siteIdCode: '5104000077',
          organisation: { name: '攀枝花市司法局', code: first17 + creditCodeCheck(first17) },
          domains: ['sfjd.localhost'],
          admin: { email: sfj.admin, name: '司法局站点管理员', password: DEMO_PASSWORD },
        },
      },
      demo.platformAdmin,
    );
    await gql(
      `mutation { setSiteStatus(code: "sfjd", status: ONLINE, reason: "迁移") { code } }`,
      {},
      demo.platformAdmin,
    );
    for (const [role, email] of [
      ['EDITOR', sfj.editor],
      ['REVIEWER', sfj.reviewer],
      ['APPROVER', sfj.approver],
    ] as const) {
      await gql(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { email, name: `司法局${role}`, password: DEMO_PASSWORD, site: 'sfjd' } },
        sfj.admin,
      );
      await gql(
        'mutation($i: AddMemberInput!) { addMember(input: $i) { id } }',
        { i: { site: 'sfjd', email, roles: [role] } },
        sfj.admin,
      );
    }
  }, 300_000);

  it('imports, re-runs (nothing duplicated), signs; old permalinks and ?p= lead to items keeping their slugs', async () => {
    const input = { site: 'sfjd', source: ['wp/themeunittestdata.wordpress.xml'] };
    const first = await importAs(sfj.admin, input);
    expect(first.counts).toEqual({
      'COLUMN.CREATED': 69,
      'ITEM.CREATED': 76,
      'FILE.FAILED': 35,
      'FILE.SKIPPED': 2,
      'SKIPPED.SKIPPED': 55,
    });
    const again = await importAs(sfj.admin, input);
    expect(again.counts).toEqual({
      'COLUMN.UNCHANGED': 69,
      'ITEM.UNCHANGED': 76,
      'FILE.UNCHANGED': 35,
      'FILE.SKIPPED': 2,
      'SKIPPED.SKIPPED': 55,
    });
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: again.id }, sfj.admin);
    await signAll(first.id, sfj.admin, [sfj.editor, sfj.reviewer, sfj.approver]);
    // The permalink and ?p= of post 1000 reach the same item, whose new address keeps its post_name.
    const viaPermalink = await follow('sfjd.localhost', '/2009/05/15/edge-case-nested-and-mixed-lists/');
    expect(viaPermalink.location).toMatch(/\/edge-case-nested-and-mixed-lists\.html$/);
    expect(viaPermalink.item).toMatchObject({
      title: 'Edge Case: Nested And Mixed Lists',
      publishedAt: '2009-05-15T21:48:32.000Z',
      provenance: { system: 'wordpress', sourceId: '1000' },
    });
    expect((await follow('sfjd.localhost', '/?p=1000')).location).toBe(viaPermalink.location);
    const { items } = await gql(`{ items(site: "sfjd", first: 100) { edges { node { id } } } }`, {});
    expect(items.edges).toHaveLength(76);
  }, 300_000);
});

describe('a generated GBK DedeCMS site into 米易县 /zwdt/xzdt', () => {
  const generate = (items: number) =>
    generateDedecms({
      outDir: join(dir, 'baigu-dede'),
      items,
      style: 'mysqldump',
      encoding: 'gbk',
      uploadsDir: join(dir, 'baigu-site'),
    });
  const input = { site: 'miyi', source: ['baigu-dede'], files: 'baigu-site', into: '/zwdt/xzdt' };
  const signers: [string, string, string] = [demo.editor('miyi'), demo.reviewer('miyi'), demo.approver('miyi')];
  const published = (n: number) =>
    Array.from({ length: n }, (_, k) => dedeArticle(k + 1)).filter((a) => a.channel === 1 && a.arcrank === 0);

  it('imports, re-runs with exact counts, signs; .html and view.php?aid= answer 301, a removed article 410', async () => {
    const gen = await generate(N);
    const first = await importAs(demo.admin('miyi'), input);
    const toImport = gen.counts.published + 1; // the 机构概况 page
    const refused = gen.counts.pending + gen.counts.trash + gen.counts.private + gen.counts.unsupported;
    expect(first.counts).toMatchObject({ 'ITEM.CREATED': toImport, 'SKIPPED.SKIPPED': refused });
    expect(first.counts['ITEM.FAILED']).toBeUndefined();
    const again = await importAs(demo.admin('miyi'), input);
    expect(again.counts).toMatchObject({ 'ITEM.UNCHANGED': toImport, 'SKIPPED.SKIPPED': refused });
    expect(again.counts['ITEM.CREATED']).toBeUndefined();
    expect(again.counts['ITEM.UPDATED']).toBeUndefined();
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: again.id }, demo.admin('miyi'));
    await signAll(first.id, demo.admin('miyi'), signers);

    const host = 'www.miyi.gov.cn';
    for (const a of published(N).slice(0, 4)) {
      const { item, location } = await follow(host, `/plus/view.php?aid=${a.id}`);
      expect(item.title).toBe(a.id % 23 === 0 ? a.fullTitle : a.title);
      expect(item.publishedAt).toBe(new Date(a.pubdate * 1000).toISOString());
      // The new address keeps the old page name (the naming rule's {aid}, or a custom filename).
      expect(location.split('/').pop()).toBe(`${a.filename || a.id}.html`);
    }
    // A township's 乡镇动态 is the portal's 乡镇（街道）动态 itself; what is created stays inside the subtree.
    const plan = (await gql(`query($id: ID!) { importRun(id: $id) { report } }`, { id: first.id }, demo.admin('miyi')))
      .importRun.report;
    const decided = Object.fromEntries(
      plan.columns.map((c: { name: string; action: string; path: string }) => [c.name, `${c.action} ${c.path}`]),
    );
    expect(decided).toMatchObject({ 乡镇动态: 'MAP /zwdt/xzdt', 政务公开: 'MAP /zwgk', 通知公告: 'MAP /zwdt/tzgg' });
    const created = plan.columns.filter((c: { action: string }) => c.action === 'CREATE');
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((c: { path: string }) => c.path.startsWith('/zwdt/xzdt/'))).toBe(true);

    // The legacy site drops its last articles: they are withdrawn at the next signed run, their old URLs 410.
    await generate(N - 10);
    const removed = published(N).filter((a) => a.id > N - 10);
    expect(removed.length).toBeGreaterThan(0);
    const shorter = await importAs(demo.admin('miyi'), input);
    expect(shorter.counts).toMatchObject({ 'ITEM.UNCHANGED': toImport - removed.length });
    await signAll(shorter.id, demo.admin('miyi'), signers);
    expect(await route(host, `/plus/view.php?aid=${removed[0]!.id}`)).toMatchObject({
      __typename: 'GonePage',
      status: 410,
    });
    await follow(host, `/plus/view.php?aid=${published(N - 10).at(-1)!.id}`);
  }, 300_000);

  it('a re-run with a changed --map moves the items at publication; old URLs, legacy and platform, still lead there', async () => {
    const host = 'www.miyi.gov.cn';
    // An article the first run put in the portal's 部门动态 (mapped by name).
    let old: { aid: number; location: string; id: string } | null = null;
    for (const a of published(N - 10)) {
      const r = await route(host, `/plus/view.php?aid=${a.id}`);
      if (r.location?.startsWith('/zwdt/bmdt/')) {
        old = { aid: a.id, location: r.location, id: (await route(host, r.location)).item.id };
        break;
      }
    }
    expect(old).not.toBeNull();
    // The township's 部门动态 belongs in its own subtree: the map file says so now.
    const moved = await importAs(demo.admin('miyi'), { ...input, map: { 部门动态: '/zwdt/xzdt' } });
    const plan = (await gql(`query($id: ID!) { importRun(id: $id) { report } }`, { id: moved.id }, demo.admin('miyi')))
      .importRun.report;
    const bmdt = plan.columns.find((c: { name: string }) => c.name === '部门动态');
    expect(bmdt).toMatchObject({ action: 'MAP', path: '/zwdt/xzdt', why: 'MAP_FILE' });
    expect(bmdt.items).toBeGreaterThan(0);
    // The same records: moved ones are UPDATED (nothing rewritten, nothing created), the rest UNCHANGED.
    expect(moved.counts['ITEM.UPDATED']).toBe(bmdt.items);
    expect(moved.counts['ITEM.CREATED']).toBeUndefined();
    // Nothing public changes before the signatures.
    expect(await route(host, old!.location)).toMatchObject({ __typename: 'ItemPage', item: { id: old!.id } });
    await signAll(moved.id, demo.admin('miyi'), signers);
    const now = await follow(host, `/plus/view.php?aid=${old!.aid}`);
    expect(now.location).toBe(old!.location.replace('/zwdt/bmdt/', '/zwdt/xzdt/'));
    expect(now.item.id).toBe(old!.id);
    // The platform address it was published at redirects to the new one.
    expect(await route(host, old!.location)).toMatchObject({
      __typename: 'RedirectPage',
      status: 301,
      location: now.location,
    });
    // A further re-run with the same map changes nothing.
    const again = await importAs(demo.admin('miyi'), { ...input, map: { 部门动态: '/zwdt/xzdt' } });
    expect(again.counts['ITEM.UPDATED']).toBeUndefined();
    expect(again.counts['ITEM.UNCHANGED']).toBe(moved.counts['ITEM.UPDATED'] + moved.counts['ITEM.UNCHANGED']);
    await gql('mutation($id: ID!) { cancelImport(id: $id) { state } }', { id: again.id }, demo.admin('miyi'));
  }, 300_000);
});

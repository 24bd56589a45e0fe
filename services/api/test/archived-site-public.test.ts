/**
 * Issue 7 (2017 §2 无保障能力的立即关停): a site that is taken down (or closed after its notice) — ARCHIVED —
 * serves nothing to the public: no items or item pages (also by Host), no columns, no mailboxes, no search hits
 * (neither its own search nor the cluster search of the city portal, even before the worker has delivered the
 * removals), no feeds or sitemaps (410, like `route`), no files. Its public record with the closing notice stays.
 * A CLOSING site still shows its content during the 30-day notice. The SQL doors refuse too (migration 0017), so
 * an instance whose site directory has not yet reloaded does not serve it either.
 */
import { processMedia } from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, publishItem, startTestApp, type TestApp } from './helpers.ts';
import { pdfWith, upload } from './media/fixtures.ts';

let t: TestApp;
let itemId = '';
let eduItemId = '';
let pdfId = '';
let platformAdmin = '';
const HOST = 'www.miyi.gov.cn';
const WORD = 'Xiaoshuiku';

const SEARCH = `query($q: String!, $s: String, $scope: SearchScope) {
  search(query: $q, site: $s, scope: $scope) { edges { node { id } } } }`;
const hits = async (site: string, scope: 'SITE' | 'CLUSTER', q = WORD) => {
  const r = await t.gql(SEARCH, { q, s: site, scope });
  return r.data ? r.data.search.edges.map((e: { node: { id: string } }) => e.node.id) : codeOf(r);
};
const get = (url: string, host = HOST) => t.app.inject({ method: 'GET', url, headers: { host } });
const itemsByHost = async () => {
  const r = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { host: HOST },
    payload: { query: '{ items(first: 10) { edges { node { id } } } }' },
  });
  return r.json().data.items.edges.map((e: { node: { id: string } }) => e.node.id);
};
const publicItems = async (site: string) =>
  (await t.gql(`{ items(site: "${site}", first: 10) { edges { node { id } } } }`)).data!.items.edges.map(
    (e: { node: { id: string } }) => e.node.id,
  );
const publicColumns = async (site: string) =>
  (await t.gql(`{ site(code: "${site}") { columns { path } } }`)).data!.site;

/** Everything the public can read of 米易县, as one comparable picture. */
async function publicFace() {
  const item = await t.gql(`{ item(id: "${itemId}") { id title } }`);
  return {
    items: await publicItems('miyi'),
    itemsByHost: await itemsByHost(),
    item: item.data!.item?.id ?? null,
    columns: ((await publicColumns('miyi')).columns as unknown[]).length > 0,
    siteSearch: await hits('miyi', 'SITE'),
    clusterSearch: await hits('panzhihua', 'CLUSTER'),
    rss: (await get('/feeds/rss.xml')).statusCode,
    atom: (await get('/feeds/zwdt/yw/atom.xml')).statusCode,
    sitemap: (await get('/sitemap.xml')).statusCode,
    pagesSitemap: (await get('/sitemaps/pages.xml')).statusCode,
    robots: (await get('/robots.txt')).statusCode,
    file: (await get(`/media/${pdfId}/original`)).statusCode,
    fileOnApiHost: (await get(`/media/${pdfId}/original`, 'localhost')).statusCode,
  };
}

/** The public SQL doors as the app role, bypassing core and its site directory. */
async function sqlDoors() {
  const c = new pg.Client({ connectionString: t.db.appUrl });
  await c.connect();
  try {
    const site = (await c.query(`select id from zq_site_directory() where code = 'miyi'`)).rows[0].id;
    const n = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount;
    return {
      items: await n('select * from zq_public_items($1, null, null, 10, null, null)', [site]),
      column: await n(`select * from zq_public_items($1, '/zwdt/yw', null, 10, null, null)`, [site]),
      under: await n(`select * from zq_public_items_under($1, '/zwdt', null, 10, null, null)`, [site]),
      item: await n('select * from zq_public_item($1)', [itemId]),
      media: await n('select * from zq_public_media($1)', [pdfId]),
    };
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  t = await startTestApp({ search: true });
  platformAdmin = await t.tokenFor(demo.platformAdmin);
  const editor = await t.tokenFor(demo.editor('miyi'));
  const pdf = await upload(t, editor, { site: 'miyi' }, { name: '工作要点.pdf', bytes: pdfWith(`Plan for ${WORD}`) });
  pdfId = pdf.body.media!.id;
  await processMedia(t.platform.systemCtx('test:worker'), pdfId);
  itemId = await publishItem(t, 'miyi', {
    column: '/zwdt/yw',
    title: `米易县${WORD}水库工作会议`,
    attachments: [{ mediaId: pdfId }],
  });
  eduItemId = await publishItem(t, 'edu', { column: '/tzgg', kind: 'NOTICE', title: `教育局${WORD}通知` });
  await t.syncSearch();
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('an archived (taken-down) site serves nothing to the public', () => {
  it('serves everything while the site is online (control)', async () => {
    expect(await publicFace()).toEqual({
      items: [itemId],
      itemsByHost: [itemId],
      item: itemId,
      columns: true,
      siteSearch: [itemId],
      clusterSearch: expect.arrayContaining([itemId, eduItemId]),
      rss: 200,
      atom: 200,
      sitemap: 200,
      pagesSitemap: 200,
      robots: 200,
      file: 200,
      fileOnApiHost: 200,
    });
    expect(await sqlDoors()).toEqual({ items: 1, column: 1, under: 1, item: 1, media: 1 });
  });

  it('after takeSiteDown: no items, item, columns, search hits, feeds, sitemaps or files — at once', async () => {
    const down = await t.gql(
      'mutation { takeSiteDown(code: "miyi", reason: "无保障能力", notice: "本网站已关停。") { status } }',
      {},
      platformAdmin,
    );
    expect(down.data!.takeSiteDown.status).toBe('ARCHIVED');
    // No search delivery has run yet: the cluster search must leave the site out by itself.
    expect(await publicFace()).toEqual({
      items: [],
      itemsByHost: [],
      item: null,
      columns: false,
      siteSearch: 'NOT_FOUND',
      clusterSearch: [eduItemId],
      rss: 410,
      atom: 410,
      sitemap: 410,
      pagesSitemap: 410,
      robots: 410,
      file: 404,
      fileOnApiHost: 404,
    });
    expect((await t.gql('{ mailboxes(site: "miyi") { id } }')).errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    // The route answers 410 with the notice; the site's public record keeps the notice too.
    const route = await t.gql(`{ route(host: "${HOST}", path: "/") { __typename ... on ClosedSitePage { status } } }`);
    expect(route.data!.route).toEqual({ __typename: 'ClosedSitePage', status: 410 });
    expect((await t.gql('{ site(code: "miyi") { status closingNotice } }')).data!.site).toEqual({
      status: 'ARCHIVED',
      closingNotice: '本网站已关停。',
    });
    // The cluster's tenant token pins the exclusion too.
    const key = await t.gql('{ searchKey(site: "panzhihua", scope: CLUSTER) { filter } }');
    expect(key.data!.searchKey.filter).toContain('siteId NOT IN');
  });

  it('refuses in the SQL doors themselves, whatever the directory says', async () => {
    expect(await sqlDoors()).toEqual({ items: 0, column: 0, under: 0, item: 0, media: 0 });
  });

  it('still lets the site’s own people read their archive (存档备查)', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const r = await t.gql(`{ item(id: "${itemId}") { id state } }`, {}, admin);
    expect(r.data!.item).toEqual({ id: itemId, state: 'PUBLISHED' });
    const file = await t.app.inject({ url: `/media/${pdfId}/original`, headers: { authorization: `Bearer ${admin}` } });
    expect(file.statusCode).toBe(200);
  });

  it('keeps a CLOSING site’s content public during its notice period', async () => {
    const q = 'mutation { setSiteStatus(code: "edu", status: CLOSING) { status } }';
    expect((await t.gql(q, {}, platformAdmin)).data!.setSiteStatus.status).toBe('CLOSING');
    expect(await publicItems('edu')).toEqual([eduItemId]);
    expect(await hits('edu', 'SITE')).toEqual([eduItemId]);
    expect(await hits('panzhihua', 'CLUSTER')).toEqual([eduItemId]);
    expect((await get('/feeds/rss.xml', 'edu.panzhihua.gov.cn')).statusCode).toBe(200);
  });
});

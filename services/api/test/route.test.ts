/**
 * Issue 12, routing: a theme turns (host, path) into one page — home, column, item, redirect, gone, closed site
 * or not found — with navigation and the national page metadata, in a constant number of SQL statements.
 */
import { stripVTControlCharacters } from 'node:util';
import { withClient } from '@zhanqun/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: string;
let itemId: string;
const HOST = 'www.miyi.gov.cn';

const ROUTE = `query($h: String!, $p: String!, $d: Boolean, $n: Int) { route(host: $h, path: $p, descendants: $d, first: $n) {
  __typename
  ... on SitePage { status locale site { code footer { siteIdCode organisation icpRecord conacMarkUrl } }
    navigation { code name url children { code name url } } breadcrumbs { path }
    meta { SiteName SiteDomain SiteIDCode ColumnName ColumnType ArticleTitle PubDate ContentSource Keywords Author
           Description Url canonicalUrl ogTitle ogDescription ogImage ogType } closingSince }
  ... on HomePage { items { edges { node { id title } } } }
  ... on ColumnPage { column { path name url } items { edges { node { id title } } pageInfo { hasNextPage } } }
  ... on ItemPage { column { path } item { id title body publishedAt } }
  ... on RedirectPage { status location reason }
  ... on GonePage { status reason siteOf: site { code } }
  ... on NotFoundPage { status siteOf: site { code } }
} }`;

async function route(path: string, opts: { host?: string; descendants?: boolean; first?: number } = {}) {
  const r = await t.gql(ROUTE, { h: opts.host ?? HOST, p: path, d: opts.descendants ?? null, n: opts.first ?? null });
  expect(r.errors).toBeUndefined();
  return r.data!.route;
}

async function colId(site: string, path: string): Promise<string> {
  // As the site's admin: blank columns are not public until they hold content (issue 7), but they are routable targets.
  const r = await t.gql(
    `{ site(code: "${site}") { columns { id path children { id path children { id path } } } } }`,
    {},
    await t.tokenFor(demo.admin(site)),
  );
  type Col = { id: string; path: string; children?: Col[] };
  const flat = (cs: Col[]): Col[] => cs.flatMap((c) => [c, ...flat(c.children ?? [])]);
  return flat(r.data!.site.columns).find((c) => c.path === path)!.id;
}

const mut = async (q: string, v: Record<string, unknown> = {}, token = admin) => {
  const r = await t.gql(q, v, token);
  expect(r.errors).toBeUndefined();
  return r.data!;
};

beforeAll(async () => {
  t = await startTestApp({ countQueries: true });
  admin = await t.tokenFor(demo.admin('miyi'));
  itemId = await publishItem(t, 'miyi', {
    column: '/zwdt/yw',
    slug: 'spring-fair',
    title: '米易县举办春季招聘会',
    summary: '招聘会提供岗位三千余个',
    author: '张三',
    keywords: ['招聘', '就业'],
    images: [{ url: 'https://www.miyi.gov.cn/media/fair.jpg', alt: '招聘会现场' }],
  });
});

afterAll(async () => {
  await t?.close();
});

describe('route(host, path)', () => {
  it('answers the home page with navigation, footer and site metadata', async () => {
    const r = await route('/');
    expect(r.__typename).toBe('HomePage');
    expect(r.status).toBe(200);
    expect(r.site.footer).toMatchObject({ siteIdCode: '5104210001', organisation: '米易县人民政府办公室' });
    const zwdt = r.navigation.find((c: { code: string }) => c.code === 'zwdt');
    expect(zwdt.url).toBe('/zwdt/');
    expect(zwdt.children.map((c: { url: string }) => c.url)).toContain('/zwdt/yw/');
    expect(r.meta).toMatchObject({ SiteName: '米易县人民政府', SiteDomain: HOST, SiteIDCode: '5104210001' });
    expect(r.meta.canonicalUrl).toBe(`https://${HOST}/`);
    expect(r.items.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(itemId);
  });

  it('answers a column page with its items and column metadata; descendants on request', async () => {
    const r = await route('/zwdt/yw/');
    expect(r.__typename).toBe('ColumnPage');
    expect(r.column).toMatchObject({ path: '/zwdt/yw', url: '/zwdt/yw/' });
    expect(r.breadcrumbs.map((c: { path: string }) => c.path)).toEqual(['/zwdt', '/zwdt/yw']);
    expect(r.meta).toMatchObject({ ColumnName: '米易要闻', ColumnType: '政务动态', ArticleTitle: null });
    expect(r.items.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([itemId]);
    expect((await route('/zwdt/')).items.edges).toEqual([]);
    const withBelow = await route('/zwdt/', { descendants: true });
    expect(withBelow.items.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([itemId]);
  });

  it('answers an item page with its body and article metadata, canonical on the primary domain', async () => {
    const r = await route('/zwdt/yw/spring-fair.html', { host: 'miyi.localhost' });
    expect(r.__typename).toBe('ItemPage');
    expect(r.item).toMatchObject({ id: itemId, title: '米易县举办春季招聘会', body: '<p>正文</p>' });
    const cst = new Date(new Date(r.item.publishedAt).getTime() + 8 * 3600_000).toISOString();
    expect(r.meta).toMatchObject({
      ArticleTitle: '米易县举办春季招聘会',
      PubDate: `${cst.slice(0, 10)} ${cst.slice(11, 16)}`,
      ContentSource: '测试来源',
      Keywords: '招聘,就业',
      Author: '张三',
      Description: '招聘会提供岗位三千余个',
      ColumnName: '米易要闻',
      Url: `https://${HOST}/zwdt/yw/spring-fair.html`,
      canonicalUrl: `https://${HOST}/zwdt/yw/spring-fair.html`,
      ogImage: `https://${HOST}/media/fair.jpg`,
      ogType: 'article',
    });
  });

  it('applies the trailing-slash rules with 301s', async () => {
    expect(await route('/zwdt/yw')).toMatchObject({ status: 301, location: '/zwdt/yw/', reason: 'CANONICAL_PATH' });
    expect(await route('/zwdt/index.html')).toMatchObject({ status: 301, location: '/zwdt/' });
    expect(await route('/zwdt/yw/spring-fair.htm')).toMatchObject({ location: '/zwdt/yw/spring-fair.html' });
  });

  it('never reveals a draft, and answers 404 for unknown paths and hosts', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    await t.gql(
      'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", slug: "secret-draft", kind: "ARTICLE", title: "草稿", body: "<p>x</p>", source: "x" }) { id } }',
      {},
      editor,
    );
    expect(await route('/zwdt/yw/secret-draft.html')).toMatchObject({ __typename: 'NotFoundPage', status: 404 });
    expect(await route('/no/such/')).toMatchObject({ __typename: 'NotFoundPage', siteOf: { code: 'miyi' } });
    expect(await route('/', { host: 'www.nowhere.gov.cn' })).toEqual({
      __typename: 'NotFoundPage',
      status: 404,
      siteOf: null,
    });
  });

  it('keeps the old address of a changed slug working as a 301', async () => {
    await mut(
      'mutation($i: UpdateItemInput!) { updateItem(input: $i) { id } }',
      {
        i: { id: itemId, slug: 'spring-job-fair' },
      },
      await t.tokenFor(demo.editor('miyi')),
    );
    // A live item's slug is reviewed content: it changes (and the old address starts redirecting) when the new
    // revision is signed off.
    expect((await route('/zwdt/yw/spring-fair.html')).__typename).toBe('ItemPage');
    await t.gql(
      'mutation($id: ID!) { submitItem(id: $id) { state } }',
      { id: itemId },
      await t.tokenFor(demo.editor('miyi')),
    );
    for (const who of [demo.editor('miyi'), demo.reviewer('miyi'), demo.approver('miyi')]) {
      const r = await t.gql(
        'mutation($id: ID!) { signOff(input: { id: $id }) { state } }',
        { id: itemId },
        await t.tokenFor(who),
      );
      expect(r.errors).toBeUndefined();
    }
    expect(await route('/zwdt/yw/spring-fair.html')).toMatchObject({
      status: 301,
      location: '/zwdt/yw/spring-job-fair.html',
      reason: 'SLUG_CHANGED',
    });
  });

  it('keeps old addresses of renamed, moved and merged columns working, items below them too', async () => {
    const yw = await colId('miyi', '/zwdt/yw');
    await mut('mutation($id: ID!) { updateColumn(input: { id: $id, code: "ywdt" }) { path } }', { id: yw });
    expect(await route('/zwdt/yw/')).toMatchObject({ location: '/zwdt/ywdt/', reason: 'COLUMN_RENAMED' });
    // The slug's redirect row points at the item, so it lands on its current address in one hop.
    expect(await route('/zwdt/yw/spring-fair.html')).toMatchObject({ location: '/zwdt/ywdt/spring-job-fair.html' });
    await mut('mutation($id: ID!) { moveColumn(input: { id: $id, parentId: null, position: 0 }) { path } }', {
      id: yw,
    });
    expect(await route('/zwdt/ywdt/spring-job-fair.html')).toMatchObject({
      location: '/ywdt/spring-job-fair.html',
      reason: 'COLUMN_MOVED',
    });
    // A chain of moves lands on the current address: the first row's target is the column, by id.
    expect(await route('/zwdt/yw/')).toMatchObject({ location: '/ywdt/' });
    expect((await route('/ywdt/spring-job-fair.html')).__typename).toBe('ItemPage');
    const bmdt = await colId('miyi', '/zwdt/bmdt');
    await mut('mutation($id: ID!, $into: ID!) { mergeColumn(id: $id, into: $into) { status } }', {
      id: yw,
      into: bmdt,
    });
    expect(await route('/ywdt/spring-job-fair.html')).toMatchObject({
      location: '/zwdt/bmdt/spring-job-fair.html',
      reason: 'COLUMN_MERGED',
    });
    expect((await route('/zwdt/bmdt/spring-job-fair.html')).__typename).toBe('ItemPage');
  });

  it('answers 410 for a withdrawn item and a closed column', async () => {
    const id = await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'old-notice', title: '旧通知' });
    await mut(
      'mutation($id: ID!) { withdrawItem(id: $id, reason: "已过期") { state } }',
      { id },
      await t.tokenFor(demo.approver('miyi')),
    );
    expect(await route('/zwdt/tzgg/old-notice.html')).toMatchObject({
      __typename: 'GonePage',
      status: 410,
      reason: 'ITEM_WITHDRAWN',
      siteOf: { code: 'miyi' },
    });
    const sjjs = await colId('miyi', '/zwdt/sjjs');
    await mut('mutation($id: ID!) { closeColumn(id: $id, reason: "无法保证更新") { status } }', { id: sjjs });
    expect(await route('/zwdt/sjjs/')).toMatchObject({ status: 410, reason: 'COLUMN_CLOSED' });
  });

  it('records legacy URLs through recordRedirects, lists and exports the map', async () => {
    const n = await mut(`mutation($e: [RedirectEntryInput!]!) { recordRedirects(site: "miyi", entries: $e) }`, {
      e: [
        { fromPath: '/art/2016/3/5/art_1_123.html', toItemId: itemId },
        { fromPath: '/show.asp?id=3', gone: true },
        { fromPath: '/old-portal', toUrl: 'https://www.panzhihua.gov.cn/' },
      ],
    });
    expect(n.recordRedirects).toBe(3);
    expect(await route('/art/2016/3/5/art_1_123.html')).toMatchObject({
      location: '/zwdt/bmdt/spring-job-fair.html',
      reason: 'LEGACY_IMPORT',
    });
    // The removed address is still a page of the site (its name, navigation and footer for the theme's 410 page).
    expect(await route('/show.asp?id=3')).toMatchObject({
      __typename: 'GonePage',
      status: 410,
      siteOf: { code: 'miyi' },
    });
    expect(await route('/old-portal/page.html')).toMatchObject({ location: 'https://www.panzhihua.gov.cn/' });
    const list = await mut(
      '{ redirects(site: "miyi", first: 100) { edges { node { fromPath target gone reason } } } }',
    );
    const rows = list.redirects.edges.map((e: { node: unknown }) => e.node);
    // Rows show where they lead now: the renamed column was merged since, so its old path leads to the target.
    expect(rows).toContainEqual({ fromPath: '/zwdt/yw', target: '/zwdt/bmdt/', gone: false, reason: 'COLUMN_RENAMED' });
    expect(rows).toContainEqual({ fromPath: '/ywdt', target: '/zwdt/bmdt/', gone: false, reason: 'COLUMN_MERGED' });
    expect(rows).toContainEqual({ fromPath: '/show.asp?id=3', target: null, gone: true, reason: 'LEGACY_IMPORT' });
    const csv = await t.app.inject({ url: '/sites/miyi/redirects.csv', headers: { authorization: `Bearer ${admin}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('from_path,target,reason,created_at');
    expect(csv.body).toContain('/art/2016/3/5/art_1_123.html,/zwdt/bmdt/spring-job-fair.html,LEGACY_IMPORT,');
    const anon = await t.app.inject({ url: '/sites/miyi/redirects.csv' });
    expect(anon.statusCode).toBe(401);
    const editor = await t.tokenFor(demo.editor('miyi'));
    const bad = await t.gql(
      'mutation { recordRedirects(site: "miyi", entries: [{ fromPath: "/x", gone: true }]) }',
      {},
      editor,
    );
    expect(bad.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('answers 301 to the primary domain on an old host name', async () => {
    const platform = await t.tokenFor(demo.platformAdmin);
    const r = await t.gql(
      'mutation { updateSiteDelivery(input: { site: "miyi", legacyHosts: ["www.scmiyi.gov.cn"] }) { legacyHosts } }',
      {},
      platform,
    );
    expect(r.data!.updateSiteDelivery.legacyHosts).toEqual(['www.scmiyi.gov.cn']);
    expect(await route('/zwdt/bmdt/?a=1', { host: 'www.scmiyi.gov.cn' })).toMatchObject({
      status: 301,
      location: `https://${HOST}/zwdt/bmdt/?a=1`,
      reason: 'OLD_HOST',
    });
    const site = await t.gql('{ site(host: "www.scmiyi.gov.cn") { code domains { host } } }');
    expect(site.data!.site.code).toBe('miyi');
  });

  it('serves declared locales only, with the locale in the path', async () => {
    const en = await route('/en/', { host: 'www.panzhihua.gov.cn' });
    expect(en).toMatchObject({ __typename: 'HomePage', locale: 'en' });
    expect(en.navigation[0].url).toMatch(/^\/en\//);
    expect((await route('/fr/', { host: 'www.panzhihua.gov.cn' })).__typename).toBe('NotFoundPage');
  });

  it('shows a draft with a preview token only, privately, and keeps it out of search', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    const q = `query($p: String!, $t: String) { route(host: "${HOST}", path: $p, preview: $t) { __typename
      ... on ItemPage { preview item { title body } } } }`;
    const path = '/zwdt/yw/secret-draft.html';
    const draft = await t.gql('{ items(site: "miyi", state: DRAFT) { edges { node { id slug } } } }', {}, editor);
    const id = draft.data!.items.edges.find((e: { node: { slug: string } }) => e.node.slug === 'secret-draft').node.id;
    const anon = await t.gql('mutation($id: ID!) { previewToken(itemId: $id) { token } }', { id });
    expect(anon.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const made = await t.gql('mutation($id: ID!) { previewToken(itemId: $id) { token expiresAt } }', { id }, editor);
    const token = made.data!.previewToken.token as string;
    expect(new Date(made.data!.previewToken.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    // The page moved with its column (/zwdt/yw was renamed and merged): the draft is at its current address.
    const current = (await t.gql(q, { p: path, t: token })).data!.route;
    expect(current.__typename).toBe('RedirectPage');
    const res = await t.app.inject({
      method: 'GET',
      url: '/graphql',
      query: { query: q, variables: JSON.stringify({ p: '/zwdt/bmdt/secret-draft.html', t: token }) },
    });
    expect(res.json().data.route).toEqual({
      __typename: 'ItemPage',
      preview: true,
      item: { title: '草稿', body: '<p>x</p>' },
    });
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers.etag).toBeUndefined();
    // Without the token (or with a forged one) the draft does not exist.
    expect((await t.gql(q, { p: '/zwdt/bmdt/secret-draft.html' })).data!.route.__typename).toBe('NotFoundPage');
    const forged = await t.gql(q, { p: '/zwdt/bmdt/secret-draft.html', t: `${token.slice(0, -2)}xx` });
    expect(forged.errors?.[0]?.extensions.reason).toBe('PREVIEW_TOKEN_INVALID');
    // The token names one item: another draft stays hidden.
    const other = await t.gql(q, { p: '/zwdt/bmdt/spring-job-fair.html', t: token });
    expect(other.data!.route.preview).toBe(false);
  });

  it('costs at most three SQL statements per page, whatever the page; an item page costs one', async () => {
    // `first` makes each request new to the kept answers (ADR 0028): the first count is the executed path, the
    // second the kept one.
    const count = async (path: string, first: number) => {
      t.queries.length = 0;
      await route(path, { first });
      const sql = t.queries.map((l) =>
        stripVTControlCharacters(l)
          .replace(/^\[query\]\s*/, '')
          .trim()
          .toLowerCase(),
      );
      const data = sql.filter(
        (s) => /^(select|insert|update|delete|with)\b/.test(s) && !s.startsWith('select set_config'),
      );
      // BEGIN, set_config and COMMIT of a transaction scoping row-level security are round trips too.
      const scope = sql.filter((s) => /^(begin|commit|rollback|select set_config)\b/.test(s));
      return {
        data: data.length,
        all: data.length + scope.length,
        versionsOnly: data.every((s) => s.startsWith('select zq_public_versions')),
      };
    };
    const figures = {
      home: await count('/', 17),
      column: await count('/zwdt/bmdt/', 17),
      item: await count('/zwdt/bmdt/spring-job-fair.html', 17),
      redirect: await count('/art/2016/3/5/art_1_123.html', 17),
    };
    console.log(`[figures] route SQL statements: ${JSON.stringify(figures)}`);
    for (const n of Object.values(figures)) expect(n.data).toBeLessThanOrEqual(3);
    // Issue 10: the public item page is one statement (zq_public_route), with no transaction around it; home and
    // column pages add their page of items.
    expect(figures.item).toEqual({ data: 1, all: 1, versionsOnly: false });
    expect(figures.column).toEqual({ data: 2, all: 2, versionsOnly: false });
    expect(figures.home).toEqual({ data: 2, all: 2, versionsOnly: false });
    // Asked again, unchanged: one small statement checks the site's content version and the kept answer is sent.
    for (const path of ['/', '/zwdt/bmdt/', '/zwdt/bmdt/spring-job-fair.html']) {
      expect(await count(path, 17)).toEqual({ data: 1, all: 1, versionsOnly: true });
    }
  });

  it('marks every page of a closing site with its notice', async () => {
    const platform = await t.tokenFor(demo.platformAdmin);
    await t.gql(
      'mutation { setSiteStatus(code: "edu", status: CLOSING, reason: "并入市政府门户") { status } }',
      {},
      platform,
    );
    const r = await route('/', { host: 'edu.panzhihua.gov.cn' });
    expect(r.closingSince).not.toBeNull();
  });

  it('holds a site’s columns only while the database says they are current: a change made through another instance shows at once', async () => {
    const siteId = (await t.platform.directory.fresh()).byHost(HOST)!.id;
    const version = async () =>
      withClient(
        t.db.adminUrl,
        async (c) => (await c.query('select tree_version from site where id = $1', [siteId])).rows[0].tree_version,
      );
    const before = await route('/');
    const nav = before.navigation as { name: string; url: string }[];
    const first = nav[0]!;
    const v0 = await version();
    // Unchanged: the function leaves the tree out for the version the caller holds.
    const unchanged = await withClient(
      t.db.adminUrl,
      async (c) =>
        (await c.query('select site, columns from zq_public_route($1, null, null, $2)', [siteId, v0])).rows[0],
    );
    expect(unchanged).toEqual({ site: null, columns: null });
    // Another instance renames the column (here: straight in the database, which this app never hears of).
    await withClient(t.db.adminUrl, (c) =>
      c.query("update site_column set name = '改名后的栏目' where site_id = $1 and path || '/' = $2", [
        siteId,
        first.url,
      ]),
    );
    expect(Number(await version())).toBeGreaterThan(Number(v0));
    const after = await route('/');
    expect((after.navigation as { name: string }[])[0]!.name).toBe('改名后的栏目');
    await withClient(t.db.adminUrl, (c) =>
      c.query("update site_column set name = $1 where site_id = $2 and path || '/' = $3", [
        first.name,
        siteId,
        first.url,
      ]),
    );
    expect(((await route('/')).navigation as { name: string }[])[0]!.name).toBe(first.name);
  });

  it('zq_public_route, called as the app role, hands out no draft and nothing of an unknown or prepared site', async () => {
    const siteId = (await t.platform.directory.fresh()).byHost(HOST)!.id;
    const call = (site: string, column: string | null, slug: string | null) =>
      withClient(
        t.db.appUrl,
        async (c) =>
          (await c.query('select site, columns, items from zq_public_route($1, $2, $3, null)', [site, column, slug]))
            .rows,
      );
    // The draft of the preview test, at its current address: the site and columns come, the draft does not.
    const [draft] = await call(siteId, '/zwdt/bmdt', 'secret-draft');
    expect(draft.site).toMatchObject({ id: siteId });
    expect(draft.items).toBeNull();
    // A published item at its address comes with its content.
    const [live] = await call(siteId, '/zwdt/bmdt', 'spring-job-fair');
    expect(live.items).toHaveLength(1);
    expect(live.items[0]).toMatchObject({ slug: 'spring-job-fair', withdrawn_at: null });
    expect(live.items[0].content.title).toBeTruthy();
    expect(await call('00000000-0000-4000-8000-000000000000', null, null)).toEqual([]);
    const status = await withClient(t.db.adminUrl, async (c) => {
      const was = (await c.query('select status from site where id = $1', [siteId])).rows[0].status as string;
      await c.query("update site set status = 'PREPARING' where id = $1", [siteId]);
      return was;
    });
    try {
      expect(await call(siteId, '/zwdt/bmdt', 'spring-job-fair')).toEqual([]);
    } finally {
      await withClient(t.db.adminUrl, (c) => c.query('update site set status = $2 where id = $1', [siteId, status]));
    }
  });
});

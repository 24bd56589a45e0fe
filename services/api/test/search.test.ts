/**
 * Search through the real Meilisearch: published content only, per site and per cluster, in step with
 * publishing and withdrawing, tenant tokens that cannot reach other sites, drafts through the API only.
 */
import { Meilisearch } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let miyiId = '';
let eduId = '';
let cityId = '';
let draftId = '';

const SEARCH = `query($q: String!, $s: String, $scope: SearchScope, $f: SearchFilters) {
  search(query: $q, site: $s, scope: $scope, filters: $f) {
    estimatedTotalHits
    edges { node { id title titleHighlighted snippet site { code } docNumber } }
    facets { kind { value count } year { value count } column { value label count } site { value label count } }
  } }`;
const ids = (r: { data: Record<string, any> | null }) =>
  r.data!.search.edges.map((e: { node: { id: string } }) => e.node.id);

beforeAll(async () => {
  t = await startTestApp({ search: true, countQueries: true });
  miyiId = await publishItem(t, 'miyi', {
    column: '/zwdt/yw',
    title: '米易县召开乡村振兴工作推进会',
    body: '<p>会议部署了乡村振兴重点任务。</p>',
  });
  eduId = await publishItem(t, 'edu', {
    column: '/tzgg',
    kind: 'NOTICE',
    title: '攀枝花市教育局关于义务教育招生工作的通知',
    body: '<p>义务教育阶段招生。</p>',
  });
  cityId = await publishItem(t, 'panzhihua', {
    column: '/zwdt/yw',
    title: '攀枝花市政府常务会议研究乡村振兴',
    body: '<p>市政府常务会议。</p>',
  });
  const editor = await t.tokenFor(demo.editor('miyi'));
  const d = await t.gql(
    'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", kind: "ARTICLE", title: "乡村振兴内部草稿" }) { id } }',
    {},
    editor,
  );
  draftId = d.data!.createItem.id;
  const delivered = await t.syncSearch();
  expect(delivered.upserted).toBe(3);
});
afterAll(async () => {
  await t?.close();
});

describe('public search', () => {
  it('finds a site’s published items, never drafts, with HTML-safe highlights', async () => {
    const r = await t.gql(SEARCH, { q: '乡村振兴', s: 'miyi' });
    expect(ids(r)).toEqual([miyiId]);
    expect(ids(r)).not.toContain(draftId);
    expect(r.data!.search.edges[0].node.titleHighlighted).toContain('<mark>');
    expect(r.data!.search.edges[0].node.snippet).toContain('<mark>乡村振兴</mark>');
  });

  it('asks Meilisearch only for what a hit shows: the body comes back as its highlighted snippet, never whole', async () => {
    const res = await t.platform.search.search({
      query: '乡村振兴',
      scope: { field: 'siteId', siteId: (await t.platform.directory.fresh()).byCode('miyi')!.id },
      filters: {},
      sort: 'RELEVANCE',
      offset: 0,
      limit: 10,
      facets: ['columnId'],
    });
    expect(res.hits.map((h) => h.doc.id)).toEqual([miyiId]);
    expect(Object.keys(res.hits[0]!.doc)).not.toContain('bodyText');
    expect(Object.keys(res.hits[0]!.doc)).not.toContain('columnIds');
    expect(res.hits[0]!.doc).toMatchObject({ id: miyiId, siteCode: 'miyi', title: '米易县召开乡村振兴工作推进会' });
    expect(res.hits[0]!.snippet).toContain('<mark>乡村振兴</mark>');
  });

  it('labels the column facet for the public with the names zq_public_column_names gives', async () => {
    const r = await t.gql(SEARCH, { q: '乡村振兴', s: 'miyi' });
    const column = r.data!.search.facets.column as { value: string; label: string | null; count: number }[];
    expect(column).toHaveLength(1);
    expect(column[0]!.label).toBeTruthy();
    const names = await t.platform.orm.em
      .fork()
      .getConnection()
      .execute('select * from zq_public_column_names(?::uuid[])', [`{${column[0]!.value}}`]);
    expect(names).toEqual([{ id: column[0]!.value, name: column[0]!.label }]);
  });

  it('searches the whole cluster from the city portal, and a county portal’s own subtree only', async () => {
    const city = await t.gql(SEARCH, { q: '乡村振兴', s: 'panzhihua', scope: 'CLUSTER' });
    expect(ids(city).sort()).toEqual([miyiId, cityId].sort());
    expect(city.data!.search.facets.site.map((f: { label: string }) => f.label).sort()).toEqual(
      ['攀枝花市人民政府', '米易县人民政府'].sort(),
    );
    const county = await t.gql(SEARCH, { q: '乡村振兴', s: 'miyi', scope: 'CLUSTER' });
    expect(ids(county)).toEqual([miyiId]);
    const dept = await t.gql(SEARCH, { q: '乡村振兴', s: 'edu', scope: 'CLUSTER' });
    expect(ids(dept)).toEqual([]);
  });

  it('treats explicit nulls like absent arguments', async () => {
    const r = await t.gql(
      '{ search(query: "", site: "panzhihua", scope: null, sort: null, first: null, filters: null) { estimatedTotalHits } }',
    );
    expect(r.errors).toBeUndefined();
  });

  it('counts facets by kind, year and column', async () => {
    const r = await t.gql(SEARCH, { q: '', s: 'panzhihua', scope: 'CLUSTER' });
    expect(r.data!.search.estimatedTotalHits).toBe(3);
    expect(r.data!.search.facets.kind).toEqual(
      expect.arrayContaining([
        { value: 'ARTICLE', count: 2 },
        { value: 'NOTICE', count: 1 },
      ]),
    );
    const f = await t.gql(SEARCH, { q: '', s: 'panzhihua', scope: 'CLUSTER', f: { kind: ['NOTICE'] } });
    expect(ids(f)).toEqual([eduId]);
  });

  it('drops a withdrawn item', async () => {
    const approver = await t.tokenFor(demo.approver('miyi'));
    await t.gql(`mutation { withdrawItem(id: "${miyiId}", reason: "信息有误") { state } }`, {}, approver);
    expect((await t.syncSearch()).removed).toBe(1);
    expect(ids(await t.gql(SEARCH, { q: '乡村振兴', s: 'miyi' }))).toEqual([]);
  });
});

describe('column-facet labels (issue 10: asked while Meilisearch works)', () => {
  const columnFacet = async () => {
    const r = await t.gql(SEARCH, { q: '常务会议', s: 'panzhihua' });
    expect(ids(r)).toEqual([cityId]);
    return r.data!.search.facets.column as { value: string; label: string | null; count: number }[];
  };

  it('costs one statement per public search, asked with the scope’s sites, not the facet’s ids', async () => {
    await columnFacet();
    t.queries.length = 0;
    const [facet] = await columnFacet();
    expect(facet!.label).toMatch(/要闻$/);
    const sql = t.queries.map((q) => q.replace(/^\S*\[query\]\S*\s*/, ''));
    expect(sql).toHaveLength(1);
    expect(sql[0]).toContain('zq_public_column_labels');
  });

  it('follows a renamed column at the next search, and labels a hidden one no more', async () => {
    const [before] = await columnFacet();
    const original = before!.label!;
    const admin = await t.tokenFor(demo.admin('panzhihua'));
    const update = async (input: string) => {
      const r = await t.gql(`mutation { updateColumn(input: { id: "${before!.value}", ${input} }) { id } }`, {}, admin);
      expect(r.errors).toBeUndefined();
    };
    await update('name: "市政要闻"');
    expect((await columnFacet())[0]).toMatchObject({ value: before!.value, label: '市政要闻' });
    await update('visible: false');
    expect((await columnFacet())[0]).toMatchObject({ value: before!.value, label: null });
    await update(`visible: true, name: "${original}"`);
    expect((await columnFacet())[0]).toMatchObject({ value: before!.value, label: original });
  });

  it('gives signed-in people the names of their own hidden columns, asked by id', async () => {
    const admin = await t.tokenFor(demo.admin('panzhihua'));
    const [facet] = await columnFacet();
    await t.gql(`mutation { updateColumn(input: { id: "${facet!.value}", visible: false }) { id } }`, {}, admin);
    try {
      const r = await t.gql(SEARCH, { q: '常务会议', s: 'panzhihua' }, admin);
      expect(r.data!.search.facets.column).toEqual([{ value: facet!.value, label: facet!.label, count: 1 }]);
      expect((await columnFacet())[0]!.label).toBeNull();
    } finally {
      await t.gql(`mutation { updateColumn(input: { id: "${facet!.value}", visible: true }) { id } }`, {}, admin);
    }
  });
});

describe('staying in step with the column tree', () => {
  it('moves an item’s column ancestors in its document when its column moves', async () => {
    const admin = await t.tokenFor(demo.admin('panzhihua'));
    const cols = await t.gql('{ site(code: "panzhihua") { columns { id code children { id code } } } }', {}, admin);
    const zwdt = cols.data!.site.columns.find((c: { code: string }) => c.code === 'zwdt');
    const yw = zwdt.children.find((c: { code: string }) => c.code === 'yw');
    const zc = cols.data!.site.columns.find((c: { code: string }) => c.code === 'zc');
    const under = (columnId: string) => t.gql(SEARCH, { q: '', s: 'panzhihua', f: { column: [columnId] } });
    expect(ids(await under(zwdt.id))).toEqual([cityId]);
    await t.gql(
      `mutation { moveColumn(input: { id: "${yw.id}", parentId: "${zc.id}", position: 0 }) { path } }`,
      {},
      admin,
    );
    expect((await t.syncSearch()).upserted).toBe(1);
    expect(ids(await under(zc.id))).toEqual([cityId]);
    expect(ids(await under(zwdt.id))).toEqual([]);
  });
});

describe('staying in step with the site', () => {
  it('carries a renamed site’s name into its documents', async () => {
    const admin = await t.tokenFor(demo.platformAdmin);
    await t.gql('mutation { updateSite(input: { code: "edu", name: "攀枝花市教育和体育局" }) { name } }', {}, admin);
    expect((await t.syncSearch()).upserted).toBe(1);
    const r = await t.gql('{ search(query: "", site: "edu") { edges { node { site { name } } } } }');
    expect(r.data!.search.edges.map((e: { node: { site: { name: string } } }) => e.node.site.name)).toEqual([
      '攀枝花市教育和体育局',
    ]);
  });
});

describe('tenant tokens for direct Meilisearch access', () => {
  it('cannot reach another site even when the client sends its own filter', async () => {
    const r = await t.gql('{ searchKey(site: "edu") { token host indexUid filter expiresAt } }');
    const key = r.data!.searchKey;
    expect(new Date(key.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const meili = new Meilisearch({ host: key.host, apiKey: key.token });
    const own = await meili.index(key.indexUid).search('');
    expect(own.hits.map((h) => h.id)).toEqual([eduId]);
    // A filter of the client's own that would reach other sites' articles (control: the master key sees them).
    const filter = 'kind = "ARTICLE"';
    expect((await t.platform.meili.index(key.indexUid).search('', { filter })).hits.length).toBeGreaterThan(0);
    expect((await meili.index(key.indexUid).search('', { filter })).hits).toEqual([]);
    const wide = await meili.index(key.indexUid).search('乡村振兴');
    expect(wide.hits).toEqual([]);
  });
});

describe('drafts', () => {
  it('are searchable by people of the site through the API', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    const r = await t.gql('{ searchDrafts(site: "miyi", query: "内部草稿") { id state } }', {}, editor);
    expect(r.data!.searchDrafts).toEqual([{ id: draftId, state: 'DRAFT' }]);
    const other = await t.gql(
      '{ searchDrafts(site: "miyi", query: "内部草稿") { id } }',
      {},
      await t.tokenFor(demo.editor('edu')),
    );
    expect(codeOf(other)).toBe('NOT_FOUND');
  });
});

describe('reindex', () => {
  it('rebuilds into a new index and swaps it in (platform admins only)', async () => {
    expect(
      codeOf(await t.gql('mutation { reindexSearch { documents } }', {}, await t.tokenFor(demo.admin('miyi')))),
    ).toBe('FORBIDDEN');
    const r = await t.gql(
      'mutation { reindexSearch { documents replayed } }',
      {},
      await t.tokenFor(demo.platformAdmin),
    );
    expect(r.data!.reindexSearch.documents).toBe(2);
    const city = await t.gql(SEARCH, { q: '', s: 'panzhihua', scope: 'CLUSTER' });
    expect(ids(city).sort()).toEqual([eduId, cityId].sort());
  });
});

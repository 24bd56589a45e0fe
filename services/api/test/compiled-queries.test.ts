/**
 * Compiled queries (ADR 0030): Mercurius runs a document asked for the second time as graphql-jit's compiled
 * JavaScript instead of graphql-js's interpreter. The answers must not change: the same bytes and status for
 * data, nulls, abstract types, and errors thrown by resolvers and by the access guard. Kept answers are off here
 * (PUBLIC_ANSWERS_MB=0), so every request below is executed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let itemId: string;

const FIELDS = 'id kind title summary source docNumber publishedAt';
const LIST = `query($s: String, $c: String, $n: Int) { items(site: $s, column: $c, first: $n) {
  edges { cursor node { ${FIELDS} keywords attachments { name } } } pageInfo { hasNextPage endCursor } } }`;
const ITEM = `query($id: ID!) { item(id: $id) { ${FIELDS} body } }`;
const ROUTE = `query($h: String!, $p: String!) { route(host: $h, path: $p) { __typename
  ... on ItemPage { status column { name path } item { ${FIELDS} body }
    meta { SiteName SiteIDCode ColumnName ArticleTitle ContentSource } }
  ... on ColumnPage { status column { name } items { edges { node { id title } } } }
  ... on RedirectPage { status location reason }
  ... on NotFoundPage { status } } }`;
const GUARDED = 'query($s: String!) { reviewQueue(site: $s) { level } }';

async function post(query: string, variables: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url: '/graphql', payload: { query, variables } });
  return { status: res.statusCode, body: res.body };
}

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_ANSWERS_MB: '0' } });
  itemId = await publishItem(t, 'miyi', {
    column: '/zwdt/yw',
    title: '县政府召开常务会议',
    summary: '会议研究部署春耕工作',
    slug: 'meeting',
    keywords: ['春耕', '会议'],
  });
  await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '县长调研春耕生产', summary: null });
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('compiled queries (graphql-jit)', () => {
  const cases: [string, () => [string, Record<string, unknown>]][] = [
    ['a column list', () => [LIST, { s: 'miyi', c: '/zwdt/yw', n: 20 }]],
    ['a list of one page with a next page', () => [LIST, { s: 'miyi', c: '/zwdt/yw', n: 1 }]],
    ['an item with its body', () => [ITEM, { id: itemId }]],
    ['an unknown item (null)', () => [ITEM, { id: '00000000-0000-4000-8000-000000000000' }]],
    ['an item page by address', () => [ROUTE, { h: 'www.miyi.gov.cn', p: '/zwdt/yw/meeting.html' }]],
    ['a column page by address', () => [ROUTE, { h: 'www.miyi.gov.cn', p: '/zwdt/yw/' }]],
    ['a redirect by address', () => [ROUTE, { h: 'www.miyi.gov.cn', p: '/zwdt/yw' }]],
    ['a missing page by address', () => [ROUTE, { h: 'www.miyi.gov.cn', p: '/no/such/' }]],
    ['an error thrown by a use case', () => [LIST, { c: '/zwdt/yw' }]],
    ['an error thrown by the access guard', () => [GUARDED, { s: 'miyi' }]],
  ];
  it.each(cases)('answers %s the same when compiled as when interpreted', async (_name, make) => {
    const [query, variables] = make();
    // A fresh document text per case, so its first run here is the interpreted one.
    const source = `${query}\n# ${_name}`;
    const interpreted = await post(source, variables);
    const compiled = [await post(source, variables), await post(source, variables)];
    for (const c of compiled) expect(c).toEqual(interpreted);
    expect(interpreted.status).toBeLessThan(500);
  });

  it('really answers the cases above with data and with errors', async () => {
    const list = JSON.parse((await post(LIST, { s: 'miyi', c: '/zwdt/yw', n: 20 })).body);
    expect(list.data.items.edges).toHaveLength(2);
    expect(list.data.items.edges[1].node).toMatchObject({ title: '县政府召开常务会议', keywords: ['春耕', '会议'] });
    const page = JSON.parse((await post(ROUTE, { h: 'www.miyi.gov.cn', p: '/zwdt/yw/meeting.html' })).body);
    expect(page.data.route).toMatchObject({ __typename: 'ItemPage', item: { id: itemId } });
    const failed = JSON.parse((await post(LIST, { c: '/zwdt/yw' })).body);
    // Thrown by the use case while executing (it has a path), not a validation error.
    expect(failed.errors[0]).toMatchObject({ path: ['items'], extensions: { reason: 'INVALID_INPUT', field: 'site' } });
    const guarded = JSON.parse((await post(GUARDED, { s: 'miyi' })).body);
    expect(guarded.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

/**
 * Kept public answers (issue 10, ADR 0028): an anonymous public read is answered again from the serialised answer
 * while the content versions of the sites it was read from hold — checked with one small statement — and a
 * change made through ANY API instance is seen at once: instance A keeps, instance B (same database) changes.
 */
import { stripVTControlCharacters } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createPlatform, type Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDraft, demo, gqlVia, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let bPlatform: Platform;
let bApp: FastifyInstance;
let b: TestApp;
let owner: pg.Client;

const LIST = `query($s: String!, $c: String) { items(site: $s, column: $c, first: 20) {
  edges { node { id title summary publishedAt } } } }`;
const ITEM = 'query($id: ID!) { item(id: $id) { id title body } }';
const ROUTE = `query($h: String!, $p: String!) { route(host: $h, path: $p) { __typename
  ... on ItemPage { column { name path } item { title } } ... on ColumnPage { column { name } } } }`;

/** Data statements since the last reset, lower-cased. */
function statements(): string[] {
  return t.queries
    .map((l) =>
      stripVTControlCharacters(l)
        .replace(/^\[query\]\s*/, '')
        .trim()
        .toLowerCase(),
    )
    .filter((s) => /^(select|insert|update|delete|with)\b/.test(s) && !s.startsWith('select set_config'));
}

/** One anonymous request on instance A; returns its raw body and the statements it cost. */
async function onA(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  t.queries.length = 0;
  const res = await t.app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
  return { body: res.body, json: res.json(), sql: statements(), res };
}
const keptOnly = (sql: string[]) => sql.length === 1 && sql[0]!.startsWith('select zq_public_versions');

async function contentVersion(code: string): Promise<number> {
  const { rows } = await owner.query('select content_version, tree_version from site where code = $1', [code]);
  return Number(rows[0].content_version);
}

beforeAll(async () => {
  t = await startTestApp({ countQueries: true });
  // Instance B: a second API process on the same database, as behind a load balancer.
  bPlatform = await createPlatform(t.platform.config);
  bApp = await buildApp(bPlatform, { logger: false });
  b = { ...t, app: bApp, gql: gqlVia(bApp) };
  owner = new pg.Client({ connectionString: t.db.ownerUrl });
  await owner.connect();
  for (const [column, title] of [
    ['/zwdt/yw', '县政府召开常务会议'],
    ['/zwdt/yw', '县长调研春耕生产'],
    ['/zwdt/bmdt', '县教育局部署开学工作'],
    ['/zwdt/tzgg', '关于清明节放假的通知'],
  ] as const) {
    await publishItem(t, 'miyi', { column, title, summary: `${title}的摘要` });
  }
}, 120_000);

afterAll(async () => {
  await owner?.end();
  await bApp?.close();
  await bPlatform?.close();
  await t?.close();
});

describe('kept public answers', () => {
  it('answers an unchanged public read again with one small statement and the same bytes', async () => {
    const first = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    expect(first.json.errors).toBeUndefined();
    expect(first.json.data.items.edges.length).toBeGreaterThan(0);
    expect(keptOnly(first.sql)).toBe(false);
    const again = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    expect(keptOnly(again.sql)).toBe(true);
    expect(again.body).toBe(first.body);
    expect(again.res.headers['content-type']).toBe(first.res.headers['content-type']);
    expect(again.res.headers['cache-control']).toBe('private, no-store');
    // Other variables are another answer.
    const other = await onA(LIST, { s: 'miyi', c: '/zwdt/bmdt' });
    expect(keptOnly(other.sql)).toBe(false);
    expect(other.body).not.toBe(first.body);
  });

  it('shows a publication and a withdrawal made through another instance at once', async () => {
    const before = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    expect(keptOnly((await onA(LIST, { s: 'miyi', c: '/zwdt/yw' })).sql)).toBe(true);
    const id = await publishItem(b, 'miyi', { column: '/zwdt/yw', title: '经由另一实例发布的信息', summary: '摘要' });
    const after = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    expect(keptOnly(after.sql)).toBe(false);
    expect(after.json.data.items.edges[0].node).toMatchObject({ id, title: '经由另一实例发布的信息' });
    expect(after.body).not.toBe(before.body);
    // The item page, kept, then withdrawn through B: gone on A at once.
    const page = await onA(ITEM, { id });
    expect(page.json.data.item.title).toBe('经由另一实例发布的信息');
    expect(keptOnly((await onA(ITEM, { id })).sql)).toBe(true);
    const withdrawn = await b.gql(
      'mutation($id: ID!) { withdrawItem(id: $id, reason: "内容已过时") { state } }',
      { id },
      await t.tokenFor(demo.approver('miyi')),
    );
    expect(withdrawn.data?.withdrawItem.state, JSON.stringify(withdrawn.errors)).toBe('WITHDRAWN');
    const gone = await onA(ITEM, { id });
    expect(gone.json.data?.item ?? null).toBeNull();
    const list = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    expect(list.json.data.items.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(id);
  });

  it('shows a renamed column in a kept page at once', async () => {
    const id = await publishItem(t, 'miyi', { column: '/zwdt/bmdt', title: '栏目改名前发布', slug: 'before-rename' });
    void id;
    const vars = { h: 'www.miyi.gov.cn', p: '/zwdt/bmdt/before-rename.html' };
    const first = await onA(ROUTE, vars);
    expect(first.json.data.route).toMatchObject({ __typename: 'ItemPage', item: { title: '栏目改名前发布' } });
    expect(keptOnly((await onA(ROUTE, vars)).sql)).toBe(true);
    const admin = await t.tokenFor(demo.admin('miyi'));
    const col = first.json.data.route.column;
    const cols = await b.gql('{ site(code: "miyi") { columns { id path children { id path } } } }', {}, admin);
    const flat = cols.data!.site.columns.flatMap((c: { id: string; path: string; children: unknown[] }) => [
      c,
      ...(c.children as { id: string; path: string }[]),
    ]);
    const target = flat.find((c: { path: string }) => c.path === col.path);
    const renamed = await b.gql(
      'mutation($i: UpdateColumnInput!) { updateColumn(input: $i) { name } }',
      { i: { id: target.id, name: '部门动态（新）' } },
      admin,
    );
    expect(renamed.data?.updateColumn.name, JSON.stringify(renamed.errors)).toBe('部门动态（新）');
    const after = await onA(ROUTE, vars);
    expect(after.json.data.route.column.name).toBe('部门动态（新）');
  });

  it('does not drop the answers of a site when another site changes', async () => {
    await onA(LIST, { s: 'miyi', c: '/zwdt/tzgg' });
    expect(keptOnly((await onA(LIST, { s: 'miyi', c: '/zwdt/tzgg' })).sql)).toBe(true);
    const miyi = await contentVersion('miyi');
    const pzh = await contentVersion('panzhihua');
    await publishItem(b, 'panzhihua', { column: '/zwdt/yw', title: '市里的新信息' });
    expect(await contentVersion('panzhihua')).toBeGreaterThan(pzh);
    expect(await contentVersion('miyi')).toBe(miyi);
    expect(keptOnly((await onA(LIST, { s: 'miyi', c: '/zwdt/tzgg' })).sql)).toBe(true);
  });

  it('never keeps or serves an answer to a signed-in reader, an error, or a read that is not public', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    await onA(LIST, { s: 'miyi', c: '/zwdt/yw' });
    // Signed in: executed (the editor may see more than the public).
    const signedIn = await onA(LIST, { s: 'miyi', c: '/zwdt/yw' }, { authorization: `Bearer ${editor}` });
    expect(keptOnly(signedIn.sql)).toBe(false);
    // An error is never kept.
    for (let i = 0; i < 2; i++) {
      const bad = await onA('query($s: String!) { items(site: $s, first: -5) { edges { node { id } } } }', {
        s: 'miyi',
      });
      expect(bad.json.errors?.[0]?.extensions.reason).toBe('INVALID_INPUT');
      expect(bad.sql.some((s) => s.startsWith('select zq_public_versions'))).toBe(false);
    }
    // A read through the ORM (an item's placements, a loader) is not covered by the versions: executed every time.
    const q = 'query($s: String!) { items(site: $s, first: 3) { edges { node { id placements { path } } } } }';
    await onA(q, { s: 'miyi' });
    const second = await onA(q, { s: 'miyi' });
    expect(second.sql.some((s) => s.startsWith('select zq_public_versions'))).toBe(false);
    expect(second.sql.length).toBeGreaterThan(1);
  });

  it("keeps a theme token's public reads apart from the public's, and forgets them when the token is revoked", async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const created = await t.gql(
      'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "主题渲染", scopes: [READ_PUBLISHED], expiresAt: $e }) { token apiToken { id } } }',
      { e: new Date(Date.now() + 86_400_000).toISOString() },
      admin,
    );
    const { token, apiToken } = created.data!.createApiToken;
    const headers = { authorization: `Bearer ${token}` };
    const vars = { s: 'miyi', c: '/zwdt/bmdt' };
    await onA(LIST, vars); // the public's kept answer
    const first = await onA(LIST, vars, headers);
    expect(keptOnly(first.sql)).toBe(false); // not the public's
    const again = await onA(LIST, vars, headers);
    expect(keptOnly(again.sql.filter((q) => !q.includes('api_token')))).toBe(true);
    expect(again.body).toBe(first.body);
    const revoked = await t.gql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: apiToken.id }, admin);
    expect(revoked.errors).toBeUndefined();
    const refused = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers,
      payload: { query: LIST, variables: vars },
    });
    expect(refused.statusCode).toBe(401);
  });

  it('gives a kept GET answer its ETag and answers 304 to it', async () => {
    const url = `/graphql?query=${encodeURIComponent(LIST)}&variables=${encodeURIComponent(JSON.stringify({ s: 'miyi', c: '/zwdt/bmdt' }))}`;
    const first = await t.app.inject({ method: 'GET', url });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"/);
    t.queries.length = 0;
    const kept = await t.app.inject({ method: 'GET', url });
    expect(keptOnly(statements())).toBe(true);
    expect(kept.headers.etag).toBe(etag);
    expect(kept.headers['cache-control']).toContain('s-maxage');
    expect(kept.body).toBe(first.body);
    const notModified = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
  });
});

describe('kept answers over compression', () => {
  it('sends a kept answer compressed as the client accepts, the same bytes once decoded', async () => {
    const body = `<p>${'县政府常务会议研究部署春季农业生产和森林防火工作。'.repeat(40)}</p>`;
    const id = await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '一篇长正文的信息', body });
    const vars = { id };
    const plain = await onA(ITEM, vars);
    expect(plain.body.length).toBeGreaterThan(1024);
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip;q=1, br;q=0', 'gzip', gunzipSync],
    ] as const) {
      t.queries.length = 0;
      const res = await t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'accept-encoding': accept },
        payload: { query: ITEM, variables: vars },
      });
      expect(keptOnly(statements())).toBe(true);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(decode(res.rawPayload).toString('utf8')).toBe(plain.body);
    }
  });
});

describe('content versions (migration 0025)', () => {
  it('are bumped by a change of any table a public answer reads, and only for the sites concerned', async () => {
    const { rows } = await owner.query(
      `select s.id as site, c.id as col from site s join site_column c on c.site_id = s.id
        where s.code = 'miyi' and c.path = '/zwdt/yw'`,
    );
    const { site, col } = rows[0];
    const bumps = async (sql: string, params: unknown[] = []) => {
      const before = await owner.query('select content_version, tree_version from site where id = $1', [site]);
      await owner.query(sql, params);
      const after = await owner.query('select content_version, tree_version from site where id = $1', [site]);
      return {
        content: Number(after.rows[0].content_version) - Number(before.rows[0].content_version),
        tree: Number(after.rows[0].tree_version) - Number(before.rows[0].tree_version),
      };
    };
    // Content only: the column tree kept by route's callers stays valid.
    expect(await bumps('update item set updated_at = now() where site_id = $1', [site])).toEqual({
      content: 1,
      tree: 0,
    });
    expect(await bumps('update item_listing set updated_at = updated_at where site_id = $1', [site])).toEqual({
      content: 1,
      tree: 0,
    });
    expect(await bumps('update item_placement set live = live where site_id = $1', [site])).toEqual({
      content: 1,
      tree: 0,
    });
    expect(
      await bumps(
        "insert into site_redirect (id, site_id, from_path, target_url, reason, created_at) values (gen_random_uuid(), $1, '/old/x.html', '/zwdt/yw/', 'MANUAL', now())",
        [site],
      ),
    ).toEqual({ content: 1, tree: 0 });
    expect(await bumps('update site_domain set host = host where site_id = $1', [site])).toEqual({
      content: 1,
      tree: 0,
    });
    // A column or the site itself: both.
    expect(await bumps('update site_column set name = name where id = $1', [col])).toEqual({ content: 1, tree: 1 });
    expect(await bumps('update site set name = name where id = $1', [site])).toEqual({ content: 1, tree: 1 });
    // A statement that touches nothing bumps nothing for rows it did not touch... but a statement is a statement:
    // an UPDATE of no rows is not a change.
    expect(
      await bumps("update item set updated_at = now() where site_id = $1 and slug = 'no-such-slug'", [site]),
    ).toEqual({
      content: 0,
      tree: 0,
    });
  });

  it('are not bumped by what no public read shows: a draft created or saved, a placement not live (migration 0037)', async () => {
    const before = await contentVersion('miyi');
    const draft = await createDraft(t, 'miyi', { column: '/zwdt/yw', title: '草稿：尚未发布', body: '<p>草稿</p>' });
    expect(await contentVersion('miyi')).toBe(before);
    await owner.query('update item set updated_at = now() where id = $1', [draft]);
    await owner.query('update item_placement set created_at = created_at where item_id = $1', [draft]);
    expect(await contentVersion('miyi')).toBe(before);
    // A live placement of it is counted (what a publication writes), and so is every change of a published item.
    await owner.query('update item_placement set live = true where item_id = $1', [draft]);
    expect(await contentVersion('miyi')).toBe(before + 1);
    await owner.query('update item_placement set live = false where item_id = $1', [draft]);
    expect(await contentVersion('miyi')).toBe(before + 2);
    const published = await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '已发布：春耕' });
    const after = await contentVersion('miyi');
    expect(after).toBeGreaterThan(before + 2);
    await owner.query('update item set updated_at = now() where id = $1', [published]);
    expect(await contentVersion('miyi')).toBe(after + 1);
    await owner.query('delete from item_placement where item_id = $1', [draft]);
    expect(await contentVersion('miyi')).toBe(after + 1);
  });
});

/**
 * The reference theme's pages are kept answers (ADR 0028, 0029): the theme's own `route` query — home, a column
 * with its sub-columns' items, an article, a policy document with its interpretations — reads only through the
 * public read port (migration 0026), so the second request is answered from kept bytes after one small version
 * check; and a change made through another API instance (an interpretation published or withdrawn, a column
 * renamed, a column moved with its items) shows on the very next request.
 */
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { createPlatform, type Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The theme's actual query (services/theme/src/queries.ts), not a copy: what the theme sends is what is kept.
import { createApiClient } from '../../theme/src/api.ts';
import { ROUTE } from '../../theme/src/queries.ts';
import { buildApp } from '../src/app.ts';
import { demo, gqlVia, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let bPlatform: Platform;
let bApp: FastifyInstance;
let b: TestApp;
let owner: pg.Client;
let policyId: string;
let interpId: string;

const HOST = 'www.miyi.gov.cn';

/** Data statements since the last reset, lower-cased (as public-answers.test.ts counts them). */
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

/** The theme's request for one page, anonymous, on instance A (the theme sends `first: 20`, as page.ts does). */
async function page(path: string) {
  // The site directory reloads after its TTL (5 s) on whichever request comes: not the page's cost.
  await t.platform.directory.fresh();
  t.queries.length = 0;
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    payload: { query: ROUTE, variables: { host: HOST, path, first: 20 } },
  });
  return { body: res.body, json: res.json(), sql: statements() };
}
const keptOnly = (sql: string[]) => sql.length === 1 && sql[0]!.startsWith('select zq_public_versions');

type Link = { id: string; title: string; column: { path: string } | null };
const titles = (links: Link[]) => links.map((l) => l.title);

async function columnId(path: string): Promise<string> {
  const { rows } = await owner.query(
    "select c.id from site_column c join site s on s.id = c.site_id where s.code = 'miyi' and c.path = $1",
    [path],
  );
  return rows[0].id;
}

beforeAll(async () => {
  t = await startTestApp({ countQueries: true });
  bPlatform = await createPlatform(t.platform.config);
  bApp = await buildApp(bPlatform, { logger: false });
  b = { ...t, app: bApp, gql: gqlVia(bApp) };
  owner = new pg.Client({ connectionString: t.db.ownerUrl });
  await owner.connect();
  await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '县政府召开常务会议', slug: 'cwhy' });
  policyId = await publishItem(t, 'miyi', {
    column: '/zc/zcwj/xzfwj',
    kind: 'POLICY_DOCUMENT',
    slug: 'rjhj',
    title: '米易县农村人居环境整治实施方案',
    source: '米易县人民政府办公室',
    docNumber: '米府发〔2026〕8号',
    issuingBody: '米易县人民政府',
    writtenAt: '2026-09-20',
    issuedAt: '2026-09-27',
  });
  interpId = await publishItem(t, 'miyi', {
    column: '/zc/zcjd',
    kind: 'INTERPRETATION',
    slug: 'rjhj-jd',
    title: '《米易县农村人居环境整治实施方案》政策解读',
    interprets: [policyId],
  });
}, 120_000);

afterAll(async () => {
  await owner?.end();
  await bApp?.close();
  await bPlatform?.close();
  await t?.close();
});

describe("the theme's pages are kept answers", () => {
  it('answers home, column (with sub-columns), article and policy pages again from kept bytes', async () => {
    const pages: Record<string, number> = {};
    for (const path of ['/', '/zc/zcwj/', '/zwdt/yw/cwhy.html', '/zc/zcwj/xzfwj/rjhj.html', '/zc/zcjd/rjhj-jd.html']) {
      const first = await page(path);
      expect(first.json.errors, path).toBeUndefined();
      expect(keptOnly(first.sql), path).toBe(false);
      // Constant: the route, then at most one statement per field loader of the port (columns, links).
      expect(first.sql.length, `${path}: ${first.sql.join('\n')}`).toBeLessThanOrEqual(4);
      expect(
        first.sql.every((s) => s.includes('zq_public_')),
        `${path}: ${first.sql.join('\n')}`,
      ).toBe(true);
      pages[path] = first.sql.length;
      const again = await page(path);
      expect(keptOnly(again.sql), `${path}: ${again.sql.join('\n')}`).toBe(true);
      expect(again.body).toBe(first.body);
    }
    console.log(`[figures] theme page SQL statements, executed: ${JSON.stringify(pages)}`);
    // What the kept pages say: listed items' columns, sub-columns' items, both sides of a link.
    const home = (await page('/')).json.data.route;
    const listed = home.items.edges.map((e: { node: Link }) => e.node);
    expect(listed.find((n: Link) => n.id === policyId).column).toEqual({ path: '/zc/zcwj/xzfwj' });
    const column = (await page('/zc/zcwj/')).json.data.route;
    expect(column.items.edges.map((e: { node: Link }) => e.node.id)).toContain(policyId);
    const policy = (await page('/zc/zcwj/xzfwj/rjhj.html')).json.data.route;
    expect(policy.item.interpretations).toEqual([
      expect.objectContaining({ id: interpId, column: { path: '/zc/zcjd' }, kind: 'INTERPRETATION' }),
    ]);
    const interp = (await page('/zc/zcjd/rjhj-jd.html')).json.data.route;
    expect(interp.item.interprets).toEqual([
      expect.objectContaining({ id: policyId, column: { path: '/zc/zcwj/xzfwj' } }),
    ]);
  });

  it('shows an interpretation published or withdrawn through another instance on the next request', async () => {
    const path = '/zc/zcwj/xzfwj/rjhj.html';
    await page(path);
    expect(keptOnly((await page(path)).sql)).toBe(true);
    const second = await publishItem(b, 'miyi', {
      column: '/zc/zcjd',
      kind: 'INTERPRETATION',
      slug: 'rjhj-yt',
      title: '一图读懂人居环境整治',
      interprets: [policyId],
    });
    const after = await page(path);
    expect(keptOnly(after.sql)).toBe(false);
    expect(titles(after.json.data.route.item.interpretations)).toContain('一图读懂人居环境整治');
    expect(keptOnly((await page(path)).sql)).toBe(true);
    const withdrawn = await b.gql(
      'mutation($id: ID!) { withdrawItem(id: $id, reason: "内容已过时") { state } }',
      { id: second },
      await t.tokenFor(demo.approver('miyi')),
    );
    expect(withdrawn.data?.withdrawItem.state, JSON.stringify(withdrawn.errors)).toBe('WITHDRAWN');
    const gone = await page(path);
    expect(titles(gone.json.data.route.item.interpretations)).not.toContain('一图读懂人居环境整治');
    expect(gone.json.data.route.item.interpretations.map((l: Link) => l.id)).toEqual([interpId]);
  });

  it('shows a renamed sub-column and a column moved with its items on the next request', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    await page('/zc/zcwj/');
    expect(keptOnly((await page('/zc/zcwj/')).sql)).toBe(true);
    const sub = await columnId('/zc/zcwj/xzfwj');
    const renamed = await b.gql(
      'mutation($i: UpdateColumnInput!) { updateColumn(input: $i) { name } }',
      { i: { id: sub, name: '县政府文件（新）' } },
      admin,
    );
    expect(renamed.errors).toBeUndefined();
    const after = (await page('/zc/zcwj/')).json.data.route;
    expect(after.column.children.map((c: { name: string }) => c.name)).toContain('县政府文件（新）');
    // Moved: the policy document's home column is now under 政策解读; the kept home page lists it there at once.
    await page('/');
    expect(keptOnly((await page('/')).sql)).toBe(true);
    const moved = await b.gql(
      'mutation($i: MoveColumnInput!) { moveColumn(input: $i) { path } }',
      { i: { id: sub, parentId: await columnId('/zc/zcjd'), position: 0 } },
      admin,
    );
    expect(moved.data?.moveColumn.path, JSON.stringify(moved.errors)).toBe('/zc/zcjd/xzfwj');
    const home = await page('/');
    expect(keptOnly(home.sql)).toBe(false);
    const node = home.json.data.route.items.edges
      .map((e: { node: Link }) => e.node)
      .find((n: Link) => n.id === policyId);
    expect(node.column).toEqual({ path: '/zc/zcjd/xzfwj' });
    const interp = (await page('/zc/zcjd/rjhj-jd.html')).json.data.route;
    expect(interp.item.interprets[0].column).toEqual({ path: '/zc/zcjd/xzfwj' });
  });
});

describe("the theme's own requests", () => {
  it('are kept as the theme sends them (GET, its API client, anonymous or with its READ_PUBLISHED token)', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const apiUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const created = await t.gql(
      'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "参考主题", scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
      { e: new Date(Date.now() + 86_400_000).toISOString() },
      await t.tokenFor(demo.admin('miyi')),
    );
    // The theme's cold path (THEME_API_CACHE=0): every page asks the API, which answers from kept bytes.
    for (const token of [undefined, created.data!.createApiToken.token as string]) {
      const theme = createApiClient(apiUrl, { cache: false, token });
      for (const path of ['/', '/zc/zcwj/', '/zc/zcjd/rjhj-jd.html']) {
        const vars = { host: HOST, path, first: 10 };
        await t.platform.directory.fresh();
        t.queries.length = 0;
        const first = await theme.read(ROUTE, vars);
        expect(keptOnly(statements()), path).toBe(false);
        await t.platform.directory.fresh();
        t.queries.length = 0;
        const again = await theme.read(ROUTE, vars);
        // A token's own check (is it still valid) is not the answer's: only the version check reads content.
        expect(keptOnly(statements().filter((q) => !q.includes('api_token'))), `${path} ${token ? 'token' : ''}`).toBe(
          true,
        );
        expect(again).toEqual(first);
      }
    }
  });
});

describe('the doors of migration 0026 show only what is public', () => {
  /**
   * Runs `sql` after `setup`, in a transaction that undoes both. The doors are definer-rights functions: what they
   * return does not depend on who calls them, so the owner's connection sees what the app's would.
   */
  async function asAppAfter(setup: string, sql: string, params: unknown[]) {
    await owner.query('begin');
    try {
      if (setup) await owner.query(setup);
      return (await owner.query(sql, params)).rows;
    } finally {
      await owner.query('rollback');
    }
  }

  it('gives no hidden column, and no column of a site that is not public', async () => {
    const visible = await columnId('/zwdt/yw');
    const cols = (sql: string) => asAppAfter(sql, 'select id from zq_public_columns($1::uuid[])', [[visible]]);
    expect(await cols('')).toEqual([{ id: visible }]);
    expect(await cols(`update site_column set visible = false where id = '${visible}'`)).toEqual([]);
    expect(await cols("update site set status = 'ARCHIVED' where code = 'miyi'")).toEqual([]);
    // Through the port: a column it does not give is no column, and the asked site's version is still reported.
    const seen: [string, string | null][] = [];
    const { rows } = await owner.query("select id from site where code = 'miyi'");
    const got = await t.platform.publicReads.columns(
      [visible, '00000000-0000-0000-0000-000000000000'],
      [rows[0].id],
      (s, v) => seen.push([s, v]),
    );
    expect((got as { id: string }[]).map((c) => c.id)).toEqual([visible]);
    expect(seen).toEqual([[rows[0].id, expect.stringMatching(/^\d+$/)]]);
  });

  it('links to no draft, and to nothing of a site that is not public', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    const draft = await t.gql(
      'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }',
      {
        i: {
          site: 'miyi',
          column: '/zc/zcjd',
          kind: 'INTERPRETATION',
          title: '尚未发布的解读',
          body: '<p>草稿</p>',
          source: '测试来源',
          interprets: [policyId],
        },
      },
      editor,
    );
    expect(draft.errors).toBeUndefined();
    const links = (setup: string) =>
      asAppAfter(setup, 'select of_id, side, id from zq_public_links($1::uuid[])', [[policyId]]);
    const live = await links('');
    expect(live).toEqual([{ of_id: policyId, side: 'interpretation', id: interpId }]);
    expect(await links("update site set status = 'ARCHIVED' where code = 'miyi'")).toEqual([]);
    // The public page says the same as the door.
    const page1 = await page('/zc/zcjd/xzfwj/rjhj.html');
    expect(page1.json.data.route.item.interpretations.map((l: Link) => l.id)).toEqual([interpId]);
  });
});

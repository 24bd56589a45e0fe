import { stripVTControlCharacters } from 'node:util';
/**
 * Loaders keep SQL round trips constant: listing 50 sites with their parent, children, domains, column trees
 * and members costs the same number of statements as listing 5.
 */
import { creditCodeCheck, provisionSite } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let token: string;

const LISTING = `query($n: Int!) { sites(first: $n) { edges { node {
  code name kind parent { code } children { code } domains { host primary }
  columns { code path children { code path children { code path } } }
  members { roles user { name email } }
} } } }`;

/** Data statements only: the per-transaction BEGIN / set_config / COMMIT are counted separately. */
function classify(log: string[]) {
  const sql = log.map((l) =>
    stripVTControlCharacters(l)
      .replace(/^\[query\]\s*/, '')
      .trim()
      .toLowerCase(),
  );
  const scope = sql.filter((s) => s.startsWith('begin') || s.startsWith('commit') || s.startsWith('select set_config'));
  const data = sql.filter((s) => /^(select|insert|update|delete|with)\b/.test(s) && !s.startsWith('select set_config'));
  return { data: data.length, scope: scope.length };
}

const LISTING_AFTER = LISTING.replace(
  'query($n: Int!) { sites(first: $n)',
  'query($n: Int!, $a: String) { sites(first: $n, after: $a)',
);

async function measure(n: number, after?: string) {
  t.queries.length = 0;
  const r = await t.gql(LISTING_AFTER, { n, a: after }, token);
  expect(r.errors).toBeUndefined();
  expect(r.data!.sites.edges).toHaveLength(n);
  return classify(t.queries);
}

beforeAll(async () => {
  t = await startTestApp({ countQueries: true });
  token = await t.tokenFor(demo.platformAdmin);
  const ctx = t.platform.systemCtx('test:bulk');
  for (let i = 1; i <= 47; i++) {
    const n = String(i).padStart(2, '0');
    await provisionSite(ctx, {
      code: `dept${n}`,
      name: `攀枝花市第${n}局`,
      kind: 'DEPARTMENT',
      parentCode: 'panzhihua',
      siteIdCode: `51040010${n}`,
      // A valid 统一社会信用代码 per department (17 characters and their GB 32100-2015 check character).
      organisation: { name: `攀枝花市第${n}局`, code: `1151040000889${n}00${creditCodeCheck(`1151040000889${n}00`)}` },
      domains: [`dept${n}.localhost`],
      admin: { email: demo.admin('edu') },
    });
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('SQL round trips of the 50-site listing', () => {
  it('are constant in the number of sites', async () => {
    // The last three sites by code (edu, miyi, panzhihua) have every shape the fifty have: parents, children,
    // members, domains, column trees.
    const page = await t.gql('{ sites(first: 47) { pageInfo { endCursor } } }', {}, token);
    const after = page.data!.sites.pageInfo.endCursor;
    await measure(3, after); // warm the directory cache and the actor look-up path
    const three = await measure(3, after);
    const fifty = await measure(50);
    console.log(
      `[figures] 50-site listing: ${fifty.data} data statements (+${fifty.scope} transaction/scope statements); 3 sites: ${three.data}`,
    );
    expect(fifty.data).toBe(three.data);
    expect(fifty.data).toBeLessThanOrEqual(8);
  });

  it('returns complete trees and members for every site', async () => {
    const r = await t.gql(LISTING, { n: 50 }, token);
    const edu = r.data!.sites.edges.find((e: { node: { code: string } }) => e.node.code === 'edu').node;
    expect(edu.parent.code).toBe('panzhihua');
    expect(edu.members.map((m: { user: { email: string } }) => m.user.email)).toContain(demo.editor('edu'));
    const zwgk = edu.columns.find((c: { code: string }) => c.code === 'zwgk');
    expect(zwgk.children.map((c: { path: string }) => c.path)).toEqual([
      '/zwgk/xxgkzn',
      '/zwgk/xxgkzd',
      '/zwgk/fdzdgknr',
      '/zwgk/xxgknb',
    ]);
    expect(zwgk.children[2].children.map((c: { path: string }) => c.path)).toContain('/zwgk/fdzdgknr/zcwj');
  });
});

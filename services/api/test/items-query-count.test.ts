import { stripVTControlCharacters } from 'node:util';
/** A 50-item page with its sign-offs costs a constant number of SQL statements (loaders, no N+1). */
import { createItem, signOff, submitItem } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let token: string;

const PAGE = `query($n: Int!) { items(site: "miyi", first: $n) { edges { node {
  id title state column { path } placements { path } timeliness
  signOffs { level user { name } role opinion signedAt }
} } } }`;

function dataStatements(log: string[]): number {
  const sql = log.map((l) =>
    stripVTControlCharacters(l)
      .replace(/^\[query\]\s*/, '')
      .trim()
      .toLowerCase(),
  );
  return sql.filter((s) => /^(select|insert|update|delete|with)\b/.test(s) && !s.startsWith('select set_config'))
    .length;
}

async function measure(n: number): Promise<number> {
  t.queries.length = 0;
  const r = await t.gql(PAGE, { n }, token);
  expect(r.errors).toBeUndefined();
  expect(r.data!.items.edges).toHaveLength(n);
  return dataStatements(t.queries);
}

beforeAll(async () => {
  t = await startTestApp({ countQueries: true });
  token = await t.tokenFor(demo.reviewer('miyi'));
  const as = async (email: string) => {
    const { loadUserActor, makeCtx } = await import('@zhanqun/core');
    const [u] = await t.platform.orm.em
      .fork()
      .execute<{ id: string }[]>('select id from app_user where email = ?', [email]);
    const actor = await loadUserActor(t.platform.orm.em.fork(), u!.id, new Date());
    return makeCtx({ actor, rootEm: t.platform.orm.em, directory: await t.platform.directory.fresh() });
  };
  const editor = await as(demo.editor('miyi'));
  const reviewer = await as(demo.reviewer('miyi'));
  for (let i = 0; i < 50; i++) {
    const item = await createItem(editor, {
      site: 'miyi',
      column: i % 2 ? '/zwdt/yw' : '/zwdt/bmdt',
      kind: 'ARTICLE',
      title: `第${i}条信息`,
      body: '<p>正文</p>',
      source: '县政府办',
    });
    await submitItem(editor, item.id);
    await signOff(editor, { id: item.id, opinion: '初审通过' });
    if (i % 3 === 0) await signOff(reviewer, { id: item.id, opinion: '审核通过' });
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('SQL round trips of a 50-item page with sign-offs', () => {
  it('are the same for 5 and for 50 items', async () => {
    await measure(5);
    // The statements are counted process-wide: a background statement (the site directory's version check, the
    // search sync) that lands during a request adds one. The fewest of three runs is the request's own count —
    // background work only ever adds, and an N+1 would show in every run of the 50-item page.
    const fewest = async (n: number) => Math.min(await measure(n), await measure(n), await measure(n));
    const five = await fewest(5);
    const fifty = await fewest(50);
    console.log(`[figures] 50-item page with sign-offs: ${fifty} data statements; 5 items: ${five}`);
    expect(fifty).toBe(five);
    expect(fifty).toBeLessThanOrEqual(10);
  });
});

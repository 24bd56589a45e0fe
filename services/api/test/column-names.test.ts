/**
 * Column names per locale (issue 12, 2015 §8): set only for a site's declared locales (a stable code refuses the
 * others); navigation and pages answer in the requested locale, falling back to the column's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: string;
const HOST = 'www.panzhihua.gov.cn';

const NAV = `query($p: String!) { route(host: "${HOST}", path: $p) { __typename
  ... on SitePage { locale navigation { id code name url } } } }`;
const SET = `mutation($id: ID!, $n: [LocalizedNameInput!]!) { setColumnNames(id: $id, names: $n) {
  id name names { locale name } } }`;

async function nav(path: string) {
  const r = await t.gql(NAV, { p: path });
  expect(r.errors).toBeUndefined();
  return r.data!.route.navigation as { id: string; code: string; name: string; url: string }[];
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.tokenFor(demo.admin('panzhihua'));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('column names per locale', () => {
  it('names a column in a declared locale; the English pages use it, the others fall back', async () => {
    const before = await nav('/en/');
    expect(before.length).toBeGreaterThan(1);
    const [first, second] = before as [(typeof before)[0], (typeof before)[0]];
    const set = await t.gql(SET, { id: first.id, n: [{ locale: 'en', name: 'Government Information' }] }, admin);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setColumnNames).toMatchObject({
      name: first.name,
      names: [{ locale: 'en', name: 'Government Information' }],
    });
    const en = await nav('/en/');
    expect(en.find((c) => c.id === first.id)!.name).toBe('Government Information');
    expect(en.find((c) => c.id === first.id)!.url).toMatch(/^\/en\//);
    // A column without an English name keeps its Chinese one (fallback), and the Chinese pages are unchanged.
    expect(en.find((c) => c.id === second.id)!.name).toBe(second.name);
    expect((await nav('/')).find((c) => c.id === first.id)!.name).toBe(first.name);
    // The list replaces the previous one: an empty list removes the English name again.
    await t.gql(SET, { id: first.id, n: [] }, admin);
    expect((await nav('/en/')).find((c) => c.id === first.id)!.name).toBe(first.name);
  });

  it('refuses locales the site does not declare, and its first locale, with a stable code', async () => {
    const [col] = await nav('/en/');
    const fr = await t.gql(SET, { id: col!.id, n: [{ locale: 'fr', name: 'Information' }] }, admin);
    expect([codeOf(fr), reasonOf(fr), fr.errors?.[0]?.extensions.field]).toEqual([
      'BAD_USER_INPUT',
      'LOCALE_NOT_DECLARED',
      'names.0.locale',
    ]);
    const zh = await t.gql(SET, { id: col!.id, n: [{ locale: 'zh-CN', name: '信息' }] }, admin);
    expect(reasonOf(zh)).toBe('LOCALE_NOT_DECLARED');
    // 米易县 declares Chinese only: no English names there.
    const miyiAdmin = await t.tokenFor(demo.admin('miyi'));
    const cols = await t.gql('{ site(code: "miyi") { columns { id } } }', {}, miyiAdmin);
    const miyi = await t.gql(SET, { id: cols.data!.site.columns[0].id, n: [{ locale: 'en', name: 'X' }] }, miyiAdmin);
    expect(reasonOf(miyi)).toBe('LOCALE_NOT_DECLARED');
    // Editors do not name columns.
    const editor = await t.tokenFor(demo.editor('panzhihua'));
    const denied = await t.gql(SET, { id: col!.id, n: [{ locale: 'en', name: 'X' }] }, editor);
    expect(codeOf(denied)).toBe('FORBIDDEN');
  });
});

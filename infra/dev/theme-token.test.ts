import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../../services/api/test/helpers.ts';
import { ensureThemeToken } from './theme-token.ts';

let t: TestApp;
let apiUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'zq-theme-token-'));
const file = join(dir, 'secrets.json');
const others = { jwtSecret: 'j'.repeat(48), meiliMasterKey: 'm'.repeat(24) };

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  apiUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  writeFileSync(file, JSON.stringify(others), { mode: 0o600 });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the API says the token is: its actor kind on a read, or the HTTP status that refused it. */
async function actorOf(token: string): Promise<string | number> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${token}` },
    payload: { query: '{ site(code: "miyi") { code } }' },
  });
  return res.statusCode === 200 ? res.json().data.site.code : res.statusCode;
}

it('creates a READ_PUBLISHED token once, keeps it beside the other secrets, and re-uses it', async () => {
  const first = await ensureThemeToken(apiUrl, file);
  expect(first.created).toBe(true);
  expect(first.token).toMatch(/^zqt_/);
  expect(await actorOf(first.token)).toBe('miyi');
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  expect(stored).toMatchObject({ ...others, themeApiToken: { token: first.token } });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const again = await ensureThemeToken(apiUrl, file);
  expect(again).toEqual({ token: first.token, created: false });
  const tokens = await t.gql(
    '{ site(code: "miyi") { apiTokens { name scopes revokedAt } } }',
    {},
    await t.tokenFor(demo.admin('miyi')),
  );
  expect(tokens.errors).toBeUndefined();
  const mine = tokens.data!.site.apiTokens.filter((x: { name: string }) => x.name.startsWith('参考主题'));
  expect(mine).toEqual([expect.objectContaining({ scopes: ['READ_PUBLISHED'], revokedAt: null })]);
});

it('replaces a token the API no longer accepts, and one about to expire', async () => {
  const { token } = await ensureThemeToken(apiUrl, file);
  const admin = await t.tokenFor(demo.admin('miyi'));
  const list = await t.gql('{ site(code: "miyi") { apiTokens { id name revokedAt } } }', {}, admin);
  const id = list.data!.site.apiTokens.find(
    (x: { name: string; revokedAt: string | null }) => x.name.startsWith('参考主题') && !x.revokedAt,
  ).id;
  expect((await t.gql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id }, admin)).errors).toBeUndefined();
  const renewed = await ensureThemeToken(apiUrl, file);
  expect(renewed.created).toBe(true);
  expect(renewed.token).not.toBe(token);
  expect(await actorOf(renewed.token)).toBe('miyi');
  // A stored token with five days left is replaced at start, not left to fail mid-run.
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
  writeFileSync(file, JSON.stringify({ ...stored, themeApiToken: { token: renewed.token, expiresAt: soon } }));
  const later = await ensureThemeToken(apiUrl, file);
  expect(later.created).toBe(true);
  expect(later.token).not.toBe(renewed.token);
});

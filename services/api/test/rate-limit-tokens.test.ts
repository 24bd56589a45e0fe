/**
 * Issue 12: rate limits keyed by API token for server-side renderers, not by the renderer's address. A renderer
 * exhausting its token's budget leaves its address (the citizens behind the same NAT, other renderers) and its
 * other tokens alone; and made-up tokens do not open buckets of their own — they count against the address.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

const LIMIT = 5;
let t: TestApp;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  // An hour-long window, so no run straddles a window boundary; the setup's few requests come from 127.0.0.1.
  t = await startTestApp({
    env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '3600', RATE_LIMIT_FLUSH_MS: '50' },
  });
  const admin = await t.tokenFor(demo.admin('miyi'));
  const make = async (name: string) => {
    const r = await t.gql(
      'mutation($n: String!, $e: DateTime!) { createApiToken(input: { site: "miyi", name: $n, scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
      { n: name, e: new Date(Date.now() + 86_400_000).toISOString() },
      admin,
    );
    expect(r.errors).toBeUndefined();
    return r.data!.createApiToken.token as string;
  };
  tokenA = await make('主题渲染 A');
  tokenB = await make('主题渲染 B');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const hit = async (remoteAddress: string, token?: string) =>
  (
    await t.app.inject({
      method: 'GET',
      url: '/graphql?query=%7B__typename%7D',
      remoteAddress,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    })
  ).statusCode;

async function times(n: number, f: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push(await f());
  return out;
}

describe('rate limits for server-side renderers', () => {
  it('count a renderer by its token, not by its address', async () => {
    const renderer = '192.0.2.10';
    expect(await times(LIMIT + 2, () => hit(renderer, tokenA))).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Its other token, and anonymous readers behind the same address, are not throttled by token A's traffic.
    expect(await times(3, () => hit(renderer, tokenB))).toEqual([200, 200, 200]);
    expect(await hit(renderer)).toBe(200);
    // Another address is a different client altogether.
    expect(await hit('192.0.2.11')).toBe(200);
  });

  it('do not let made-up tokens escape the per-address limit', async () => {
    const made = () => `zqt_${randomBytes(32).toString('base64url')}`;
    // Refused by auth (401) while the address has budget, then by the limit (429) before auth is even asked.
    expect(await times(LIMIT + 2, () => hit('192.0.2.99', made()))).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

/**
 * Rate-limit counters shared across API instances (issue 12): two apps, each with its own platform (pools,
 * counters), on one database. What one instance counted, the other refuses on — within the documented flush bound.
 */
import { createPlatform, type Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let second: { platform: Platform; app: FastifyInstance };
const LIMIT = 5;
const tokens: string[] = [];

beforeAll(async () => {
  t = await startTestApp({
    // An hour-long window: no test run straddles a window boundary (which would reset the counts).
    env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '3600', RATE_LIMIT_FLUSH_MS: '50' },
  });
  const platform = await createPlatform(t.platform.config);
  second = { platform, app: await buildApp(platform, { logger: false }) };
  // Two renderers' API tokens (made from 127.0.0.1; the tests below call from other addresses).
  const admin = await t.tokenFor(demo.admin('miyi'));
  for (const name of ['渲染一', '渲染二']) {
    const r = await t.gql(
      'mutation($n: String!, $e: DateTime!) { createApiToken(input: { site: "miyi", name: $n, scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
      { n: name, e: new Date(Date.now() + 86_400_000).toISOString() },
      admin,
    );
    tokens.push(r.data!.createApiToken.token as string);
  }
}, 120_000);

afterAll(async () => {
  await second?.app.close();
  await second?.platform.close();
  await t?.close();
});

const hit = (app: FastifyInstance, token?: string) =>
  app.inject({
    method: 'GET',
    url: '/graphql?query=%7B__typename%7D',
    remoteAddress: '203.0.113.9',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

async function sharedHits(): Promise<number> {
  const c = new pg.Client({ connectionString: t.db.appUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>(
      "select coalesce(sum(hits), 0)::int as n from rate_limit_counter where key = 'ip:203.0.113.9'",
    );
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}

describe('rate limits shared across instances', () => {
  it('counts one client on both instances together', async () => {
    const a = t.app;
    const b = second.app;
    for (let i = 0; i < 3; i += 1) expect((await hit(a)).statusCode).toBe(200);
    await a.rateLimitCounters.flush();
    expect(await sharedHits()).toBe(3);
    // The second instance has never seen this client: its first request learns the shared count (3) first.
    expect((await hit(b)).statusCode).toBe(200); // 4
    expect((await hit(b)).statusCode).toBe(200); // 5
    const refused = await hit(b); // 6 > 5
    expect(refused.statusCode).toBe(429);
    await b.rateLimitCounters.flush();
    // The first instance learns the other's hits at its next flush at the latest (the documented bound).
    await expect
      .poll(
        async () => {
          const r = await hit(a);
          await a.rateLimitCounters.flush();
          return r.statusCode;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(429);
  });

  it('keeps separate counts per API token, whatever address the renderer calls from', async () => {
    // The address 203.0.113.9 is over its limit by now; the renderers calling from it with their tokens are not.
    const runs = [];
    for (const token of tokens) for (let i = 0; i < 3; i += 1) runs.push((await hit(second.app, token)).statusCode);
    expect(runs).toEqual([200, 200, 200, 200, 200, 200]);
    await second.app.rateLimitCounters.flush();
    const c = new pg.Client({ connectionString: t.db.appUrl });
    await c.connect();
    const { rows } = await c.query<{ key: string; hits: number }>(
      "select key, hits from rate_limit_counter where key like 'token:%'",
    );
    await c.end();
    expect(rows.map((r) => r.hits)).toEqual([3, 3]);
    // Only a hash of the token is stored, never the token.
    expect(rows.map((r) => r.key).join()).not.toContain('zqt_');
  });
});

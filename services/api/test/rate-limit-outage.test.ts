/**
 * Issue 12 gap: what the rate limit does when its shared store (PostgreSQL) fails. Decision (docs/operations.md
 * #rate-limits): fail open to per-instance counting — public reads keep being served, each instance still refuses
 * a client over the limit on the hits it saw itself, a warning is logged and every failed flush is counted in
 * `zhanqun_rate_limit_store_errors_total`; the hits counted meanwhile reach the shared counters once it answers.
 */
import { Writable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import { pgRateLimitStore } from '@zhanqun/adapters';
import { withClient } from '@zhanqun/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { startTestApp, type TestApp } from './helpers.ts';

const LIMIT = 5;
let t: TestApp;
let app: FastifyInstance;
const logLines: { level: number; msg: string }[] = [];

beforeAll(async () => {
  t = await startTestApp({
    env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '3600', RATE_LIMIT_FLUSH_MS: '50' },
  });
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await buildApp(t.platform, { logger: { level: 'warn', stream } });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.close();
});

const asOwner = (sql: string) => withClient(t.db.ownerUrl, (c) => c.query(sql));

const hit = (address: string) =>
  app.inject({ method: 'GET', url: '/graphql?query=%7B__typename%7D', remoteAddress: address });

const metric = async () => {
  const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = body.split('\n').find((l) => l.startsWith('zhanqun_rate_limit_store_errors_total'));
  return Number(line?.split(' ').at(-1));
};

describe('the rate limit when PostgreSQL fails', () => {
  it('keeps serving, counts per instance, warns once, counts the errors, and catches up afterwards', async () => {
    expect(await metric()).toBe(0);
    // The app role loses the counters table: every flush now fails, as with PostgreSQL refusing writes.
    await asOwner('revoke all on rate_limit_counter from zhanqun_app');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i += 1) {
        statuses.push((await hit('198.51.100.7')).statusCode);
        await app.rateLimitCounters.flush();
      }
      // Served while the store is down, and the limit still holds on this instance's own count.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      // Another client is not affected by the first one's count.
      expect((await hit('198.51.100.8')).statusCode).toBe(200);
      await app.rateLimitCounters.flush();
      expect(await metric()).toBeGreaterThanOrEqual(LIMIT);
      const warnings = logLines.filter((l) => l.msg.startsWith('rate-limit counters not shared'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe(40);
    } finally {
      await asOwner('grant select, insert, update, delete on rate_limit_counter to zhanqun_app');
    }
    // Once PostgreSQL answers, the hits counted meanwhile reach the shared counters (other instances see them).
    await app.rateLimitCounters.flush();
    const c = new pg.Client({ connectionString: t.db.appUrl });
    await c.connect();
    const { rows } = await c.query<{ key: string; hits: number }>(
      "select key, hits from rate_limit_counter where key = 'ip:198.51.100.7'",
    );
    await c.end();
    expect(rows[0]?.hits).toBe(LIMIT + 2);
  });

  it('answers requests when PostgreSQL cannot be reached at all (connection refused)', async () => {
    const errors: unknown[] = [];
    // Port 9 on loopback: nothing listens, every connection is refused.
    const store = pgRateLimitStore('postgres://nobody:x@127.0.0.1:9/none', {
      flushMs: 20,
      firstWaitMs: 50,
      onError: (err) => errors.push(err),
    });
    const bare = Fastify();
    await bare.register(rateLimit, { max: 3, timeWindow: 3_600_000, store: store.Store as never });
    bare.get('/', async () => 'ok');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await bare.inject({ method: 'GET', url: '/' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      await store.flush();
      expect(errors.length).toBeGreaterThan(0);
      expect(store.errors()).toBe(errors.length);
      expect(String((errors[0] as { code?: string }).code ?? errors[0])).toMatch(/ECONNREFUSED/);
    } finally {
      await bare.close();
      await store.close();
    }
  });
});

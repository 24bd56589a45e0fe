import { withClient } from '@zhanqun/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers.ts';

/** One sample of the Prometheus text exposition format: `name{label="v",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not in the exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

let t: TestApp;
const TOKEN = 'metrics-token-0123456789';

beforeAll(async () => {
  t = await startTestApp({ search: true, env: { METRICS_CACHE_MS: '0', METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await t?.close();
});

async function scrape() {
  const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parseExposition(res.body);
  const value = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  const has = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { ...parsed, value, has };
}

describe('/metrics', () => {
  it('is refused without the configured token, whoever asks', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(403);
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.statusCode).toBe(403);
  });

  it('counts GraphQL requests by operation name and status, with latency histograms', async () => {
    const before = await scrape();
    await t.gql('query MetricsProbe { sites(first: 1) { edges { cursor } } }');
    await t.gql('query MetricsProbe { sites(first: 1) { edges { cursor } } }');
    await t.gql('{ sites(first: 1) { edges { cursor } } }');
    await t.gql('query MetricsProbe { nosuchfield }');
    const after = await scrape();
    expect(after.types.get('zhanqun_graphql_requests_total')).toBe('counter');
    const delta = (labels: Record<string, string>) =>
      after.value('zhanqun_graphql_requests_total', labels) - before.value('zhanqun_graphql_requests_total', labels);
    expect(delta({ operation: 'MetricsProbe', status: '200' })).toBe(2);
    expect(delta({ operation: 'anonymous', status: '200' })).toBe(1);
    // Refused before execution: no operation ran, so it cannot be named; the status tells it apart.
    expect(delta({ operation: 'anonymous', status: '400' })).toBe(1);
    const count = (s: Awaited<ReturnType<typeof scrape>>) =>
      s.value('zhanqun_graphql_request_duration_seconds_count', { operation: 'MetricsProbe' });
    expect(count(after) - count(before)).toBe(2);
    expect(
      after.has('zhanqun_graphql_request_duration_seconds_bucket', { operation: 'MetricsProbe', le: '+Inf' }),
    ).toBe(true);
    expect(after.has('zhanqun_http_request_duration_seconds_bucket', { route: '/graphql', method: 'POST' })).toBe(true);
    expect(after.value('zhanqun_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('keeps the operation label bounded whatever names clients send', async () => {
    for (let i = 0; i < 205; i++) await t.gql(`query Flood${i} { sites(first: 1) { edges { cursor } } }`);
    const s = await scrape();
    const names = new Set(
      s.samples.filter((x) => x.name === 'zhanqun_graphql_requests_total').map((x) => x.labels.operation),
    );
    expect(names.size).toBeLessThanOrEqual(200 + 2); // the cap, plus `anonymous` and `other`
    expect(s.value('zhanqun_graphql_requests_total', { operation: 'other' })).toBeGreaterThan(0);
  });

  it('reports pool use and the search outbox backlog and lag, read on scrape', async () => {
    await t.syncSearch();
    const idle = await scrape();
    expect(idle.value('zhanqun_search_outbox_pending')).toBe(0);
    expect(idle.value('zhanqun_search_delivery_lag_seconds')).toBe(0);
    expect(idle.value('zhanqun_db_pool_connections', { pool: 'orm', state: 'max' })).toBe(10);
    expect(idle.value('zhanqun_db_pool_connections', { pool: 'orm', state: 'total' })).toBeGreaterThan(0);
    expect(idle.has('zhanqun_db_pool_connections', { pool: 'public_read', state: 'idle' })).toBe(true);

    // A change record that waits: the backlog and the age of the oldest pending record are reported.
    await withClient(t.db.adminUrl, (c) =>
      c.query(
        `insert into search_change (item_id, site_id, reason, created_at)
         select gen_random_uuid(), id, 'metrics-test', now() - interval '90 seconds' from site where code = 'miyi'`,
      ),
    );
    const waiting = await scrape();
    expect(waiting.value('zhanqun_search_outbox_pending')).toBe(1);
    expect(waiting.value('zhanqun_search_delivery_lag_seconds')).toBeGreaterThanOrEqual(90);
    await t.syncSearch();
    expect((await scrape()).value('zhanqun_search_outbox_pending')).toBe(0);
  });
});

describe('/metrics without a token', () => {
  let open: TestApp;
  beforeAll(async () => {
    open = await startTestApp({ env: { METRICS_CACHE_MS: '0' } });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('answers loopback callers only', async () => {
    expect((await open.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    const remote = await open.app.inject({
      url: '/metrics',
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(remote.statusCode).toBe(403);
  });
});

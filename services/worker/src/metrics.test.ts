import { createBoss } from '@zhanqun/adapters';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { registerJobs } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';
import { serveMetrics, type WorkerMetrics, workerMetrics } from './metrics.ts';

let t: TestApp;
let boss: PgBoss;
let metrics: WorkerMetrics;
let server: Awaited<ReturnType<typeof serveMetrics>>;

beforeAll(async () => {
  t = await startTestApp();
  boss = createBoss(t.db.appUrl);
  boss.on('error', () => {});
  await boss.start();
  metrics = workerMetrics(t.platform, boss, 0);
  await registerJobs(boss, t.platform, {
    log: createWorkerLogger('silent'),
    onFailure: (queue) => metrics.jobFailures.inc({ queue }),
  });
  server = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await boss?.stop({ graceful: false });
  await t?.close();
});

const sample = (body: string, series: string) =>
  body
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.split(' ')[1];

describe('the worker /metrics', () => {
  it('serves queue depth by queue and state, failures, pools and the search outbox', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    for (const queue of ['maintenance', 'publish-item', 'publish-due'])
      for (const state of ['ready', 'deferred', 'active', 'failed'])
        expect(
          sample(body, `zhanqun_job_queue_jobs{queue="${queue}",state="${state}",service="worker"}`),
        ).toBeDefined();
    expect(sample(body, 'zhanqun_job_failures_total{queue="publish-due",service="worker"}')).toBe('0');
    expect(sample(body, 'zhanqun_search_outbox_pending{service="worker"}')).toBeDefined();
    expect(sample(body, 'zhanqun_db_pool_connections{pool="orm",state="max",service="worker"}')).toBe('10');

    metrics.jobFailures.inc({ queue: 'publish-due' });
    const again = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(sample(again, 'zhanqun_job_failures_total{queue="publish-due",service="worker"}')).toBe('1');
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });

  it('requires the bearer when METRICS_TOKEN is set', async () => {
    const guarded = await serveMetrics(metrics.registry, {
      host: '127.0.0.1',
      port: 0,
      token: 'worker-token-0123456789',
    });
    try {
      const url = `http://127.0.0.1:${guarded.port}/metrics`;
      expect((await fetch(url)).status).toBe(403);
      const ok = await fetch(url, { headers: { authorization: 'Bearer worker-token-0123456789' } });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

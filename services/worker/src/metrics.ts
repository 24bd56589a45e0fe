import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cached,
  createMetricsRegistry,
  metricsAccessAllowed,
  type Platform,
  queues,
  registerPlatformMetrics,
} from '@zhanqun/adapters';
import type { PgBoss } from 'pg-boss';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface WorkerMetrics {
  registry: Registry;
  /** Job handler runs that threw (pg-boss retries them up to the queue's retry limit). */
  jobFailures: Counter<'queue'>;
  /** Search delivery attempts that failed (Meilisearch unreachable or refusing). */
  searchDeliveryFailures: Counter;
}

/**
 * The worker's metrics (docs/operations.md#metrics): the platform's pools and search outbox, job queue depth
 * by queue and state, and failures seen by this process. Queue depth comes from pg-boss's `getQueues()`, which
 * reads the counts pg-boss's own monitor keeps on each queue row (refreshed every 60 s): no scan of the job
 * table per scrape.
 */
export function workerMetrics(platform: Platform, boss: PgBoss, cacheMs: number): WorkerMetrics {
  const registry = createMetricsRegistry('worker');
  registerPlatformMetrics(registry, platform, cacheMs);
  const queueStats = cached(cacheMs, () => boss.getQueues(Object.values(queues)));
  new Gauge({
    name: 'zhanqun_job_queue_jobs',
    help: 'pg-boss jobs by queue and state (ready, deferred, active, failed: retained failures), per pg-boss monitor',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const q of await queueStats()) {
        this.set({ queue: q.name, state: 'ready' }, q.readyCount);
        this.set({ queue: q.name, state: 'deferred' }, q.deferredCount);
        this.set({ queue: q.name, state: 'active' }, q.activeCount);
        this.set({ queue: q.name, state: 'failed' }, q.failedCount);
      }
    },
  });
  const jobFailures = new Counter({
    name: 'zhanqun_job_failures_total',
    help: 'Job handler runs that threw in this worker, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  for (const q of Object.values(queues)) jobFailures.inc({ queue: q }, 0);
  const searchDeliveryFailures = new Counter({
    name: 'zhanqun_search_delivery_failures_total',
    help: 'Search delivery attempts that failed in this worker (the records wait and are retried)',
    registers: [registry],
  });
  return { registry, jobFailures, searchDeliveryFailures };
}

/**
 * Serves GET /metrics on host:port (port 0: any free port). Same rule as the API's: with METRICS_TOKEN a bearer
 * is required, without it only loopback callers are answered.
 */
export async function serveMetrics(
  registry: Registry,
  opts: { host: string; port: number; token?: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (!metricsAccessAllowed(opts.token, req.headers.authorization, req.socket.remoteAddress)) {
      res.writeHead(403).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

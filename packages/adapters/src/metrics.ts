import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Platform } from './platform.ts';

/**
 * Prometheus metrics shared by the API and the worker (prom-client, ADR 0008). Everything that needs SQL is
 * read when Prometheus scrapes — never per request — and cached for `cacheMs`, so a burst of scrapes (several
 * Prometheus replicas, a curious operator) costs one round trip per period.
 */
export function createMetricsRegistry(service: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Process CPU, memory, event-loop lag and GC: the first things to look at when a request stalls.
  collectDefaultMetrics({ register: registry, prefix: 'zhanqun_' });
  return registry;
}

/** Calls `load` at most once per `ttlMs`; concurrent callers share the pending promise. */
export function cached<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || Date.now() - at > ttlMs) {
      at = Date.now();
      value = load().catch((e: unknown) => {
        at = 0; // a failed read is retried at the next scrape
        throw e;
      });
    }
    return value;
  };
}

interface Backlog {
  pending: number;
  lagSeconds: number;
}

/**
 * Connection pools (ORM and public read path) and the search outbox. The backlog comes from the definer
 * function `zq_search_backlog()` (migration 0014): a scrape has no actor, and row-level security keeps the
 * app role from counting `search_change` rows outside a scope; the function returns two aggregates, no rows.
 */
export function registerPlatformMetrics(registry: Registry, platform: Platform, cacheMs = 5_000): void {
  const pools = cached(cacheMs, () => platform.poolStats());
  new Gauge({
    name: 'zhanqun_db_pool_connections',
    help: 'PostgreSQL pool connections by pool (orm, public_read) and state (total, idle, waiting clients, max)',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    async collect() {
      const p = await pools();
      for (const [pool, s] of [
        ['orm', p.orm],
        ['public_read', p.publicReads],
      ] as const) {
        this.set({ pool, state: 'total' }, s.total);
        this.set({ pool, state: 'idle' }, s.idle);
        this.set({ pool, state: 'waiting' }, s.waiting);
        this.set({ pool, state: 'max' }, s.max);
      }
    },
  });

  const backlog = cached<Backlog>(cacheMs, async () => {
    const [row] = await platform.orm.em
      .fork()
      .execute<{ pending: string; oldest_pending_at: Date | null }[]>(
        'select pending, oldest_pending_at from zq_search_backlog()',
      );
    const oldest = row?.oldest_pending_at ? new Date(row.oldest_pending_at).getTime() : null;
    return {
      pending: Number(row?.pending ?? 0),
      lagSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
    };
  });
  new Gauge({
    name: 'zhanqun_search_outbox_pending',
    help: 'Search change records not yet delivered to Meilisearch',
    registers: [registry],
    async collect() {
      this.set((await backlog()).pending);
    },
  });
  new Gauge({
    name: 'zhanqun_search_delivery_lag_seconds',
    help: 'Age of the oldest undelivered search change record (0 when none waits)',
    registers: [registry],
    async collect() {
      this.set((await backlog()).lagSeconds);
    },
  });
}

/**
 * Who may read /metrics: with METRICS_TOKEN set, a caller sending it as a bearer; without it, only a caller
 * on the loopback interface (the socket's address, not X-Forwarded-For, which a client can write).
 */
export function metricsAccessAllowed(
  token: string | undefined,
  authorization: string | undefined,
  socketAddress: string | undefined,
): boolean {
  if (token) {
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
  }
  return socketAddress === '127.0.0.1' || socketAddress === '::1' || socketAddress === '::ffff:127.0.0.1';
}

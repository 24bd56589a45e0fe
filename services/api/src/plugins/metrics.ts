import { createMetricsRegistry, metricsAccessAllowed, type Platform, registerPlatformMetrics } from '@zhanqun/adapters';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DocumentNode } from 'graphql';
import { Counter, Histogram } from 'prom-client';

/**
 * GET /metrics in Prometheus's text format (docs/operations.md#metrics): GraphQL requests by operation and
 * status, latency histograms, pool use and the search outbox (read on scrape, see @zhanqun/adapters metrics).
 * Registered after Mercurius (it hooks into GraphQL execution) and without encapsulation, so its hooks see
 * every route of the app.
 */
const operationOf = Symbol('zq.metrics.operation');
type Tagged = FastifyRequest & { [operationOf]?: string };

/** Operation names are chosen by clients: at most this many distinct ones become labels, the rest `other`. */
const MAX_OPERATION_NAMES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function executedOperationName(document: DocumentNode, requested: unknown): string | undefined {
  const ops = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const op = typeof requested === 'string' ? ops.find((d) => d.name?.value === requested) : ops[0];
  return op?.name?.value;
}

async function metricsPlugin(app: FastifyInstance, opts: { platform: Platform }) {
  const { platform } = opts;
  const registry = createMetricsRegistry('api');
  registerPlatformMetrics(registry, platform, platform.config.METRICS_CACHE_MS);
  const requests = new Counter({
    name: 'zhanqun_graphql_requests_total',
    help: 'GraphQL requests by operation name (anonymous when unnamed) and HTTP status',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  const graphqlLatency = new Histogram({
    name: 'zhanqun_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name, from request start to the last byte written',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpLatency = new Histogram({
    name: 'zhanqun_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern (unmatched for unknown paths), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // The shared rate-limit store's failed flushes (the limit then counts per instance: fail open, app.ts).
  new Counter({
    name: 'zhanqun_rate_limit_store_errors_total',
    help: 'Failed writes of the shared rate-limit counters to PostgreSQL (the limit counts per instance meanwhile)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(app.rateLimitCounters?.errors() ?? 0);
    },
  });

  const seen = new Set<string>();
  const label = (name: string | undefined): string => {
    if (!name || !NAME.test(name)) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_NAMES) return 'other';
    seen.add(name);
    return name;
  };

  app.graphql.addHook('preExecution', async (_schema, document, context) => {
    const request = (context as { reply?: { request?: Tagged } }).reply?.request;
    const body = request?.body as { operationName?: unknown } | undefined;
    const query = request?.query as { operationName?: unknown } | undefined;
    if (request) request[operationOf] = executedOperationName(document, body?.operationName ?? query?.operationName);
  });

  app.addHook('onResponse', async (req: Tagged, reply) => {
    const seconds = reply.elapsedTime / 1000;
    const route = req.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    httpLatency.observe({ route, method: req.method, status }, seconds);
    if (route !== '/graphql') return;
    const operation = label(req[operationOf]);
    requests.inc({ operation, status });
    graphqlLatency.observe({ operation }, seconds);
  });

  app.get('/metrics', { config: { rateLimit: false } }, async (req, reply) => {
    const allowed = metricsAccessAllowed(
      platform.config.METRICS_TOKEN,
      req.headers.authorization,
      req.socket.remoteAddress,
    );
    if (!allowed) return reply.code(403).send({ error: 'metrics are served to loopback or with METRICS_TOKEN' });
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}

// What fastify-plugin does: the hooks above apply to the whole app, not only to routes of this plugin.
Object.assign(metricsPlugin, { [Symbol.for('skip-override')]: true });

export { metricsPlugin };

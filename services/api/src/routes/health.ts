import type { Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';

/**
 * /health: the process is alive. /ready: it can serve — PostgreSQL and Meilisearch both answer. A load balancer
 * that should keep routing while only search is down (publishing never needs Meilisearch) asks
 * /ready?checks=postgres; every check is still reported. No check waits longer than READY_CHECK_TIMEOUT_MS.
 */
export function healthRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/health', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get<{ Querystring: { checks?: string } }>('/ready', { config: { rateLimit: false } }, async (req, reply) => {
    const known = ['postgres', 'meilisearch'] as const;
    const required = (req.query.checks ?? known.join(','))
      .split(',')
      .filter((c): c is (typeof known)[number] => (known as readonly string[]).includes(c));
    // Each check has its own short timeout; a check not asked for is not waited for (a hung Meilisearch
    // must not hold up /ready?checks=postgres).
    const checks = await platform.ready(required);
    const ok = required.length > 0 && required.every((c) => checks[c]);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks, required });
  });
}

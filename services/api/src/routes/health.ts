import type { Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';

/**
 * /health: the process is alive. /ready: it can serve — PostgreSQL and Meilisearch both answer. A load balancer
 * that should keep routing while only search is down (publishing never needs Meilisearch) asks
 * /ready?checks=postgres; every check is still reported.
 */
export function healthRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/health', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get<{ Querystring: { checks?: string } }>('/ready', { config: { rateLimit: false } }, async (req, reply) => {
    const checks = await platform.ready();
    const required = (req.query.checks ?? 'postgres,meilisearch')
      .split(',')
      .filter((c): c is keyof typeof checks => c in checks);
    const ok = required.length > 0 && required.every((c) => checks[c]);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks, required });
  });
}

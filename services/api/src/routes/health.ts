import type { Platform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';

/** /health: the process is alive. /ready: it can serve (PostgreSQL and Meilisearch answer). */
export function healthRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/health', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get('/ready', { config: { rateLimit: false } }, async (_req, reply) => {
    const checks = await platform.ready();
    const ok = checks.postgres && checks.meilisearch;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks });
  });
}

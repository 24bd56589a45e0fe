import { type Actor, AppError, type Ctx, errorKinds, exportRedirectsCsv, isAppError } from '@zhanqun/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sitemapAndFeedRoutes } from './machine-readable.ts';

export interface DeliveryDeps {
  ctxFor(req: FastifyRequest, actor: Actor): Promise<Ctx>;
  actorFor(req: FastifyRequest): Promise<Actor>;
}

/** Errors of REST edges: the error catalogue's HTTP status and a small JSON body with the stable code. */
export function sendError(reply: FastifyReply, e: unknown) {
  if (!isAppError(e)) throw e;
  return reply.code(errorKinds[e.kind].http).send({ error: { code: e.kind, reason: e.reason, message: e.message } });
}

/** REST edges of issue 12: the redirect map's CSV export (site admins), sitemaps, robots.txt and feeds. */
export function deliveryRoutes(app: FastifyInstance, deps: DeliveryDeps) {
  app.get<{ Params: { code: string } }>('/sites/:code/redirects.csv', async (req, reply) => {
    try {
      const actor = await deps.actorFor(req);
      if (actor.kind === 'anonymous') return sendError(reply, new AppError('UNAUTHENTICATED'));
      const csv = await exportRedirectsCsv(await deps.ctxFor(req, actor), req.params.code);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.code}-redirects.csv"`)
        .header('cache-control', 'private, no-store')
        .send(csv);
    } catch (e) {
      return sendError(reply, e);
    }
  });
  sitemapAndFeedRoutes(app, deps);
}

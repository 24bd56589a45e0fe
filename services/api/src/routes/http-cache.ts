import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long shared caches (CDN, reverse proxy) may keep an anonymous public answer, and serve it stale. */
export const PUBLIC_CACHE = 'public, max-age=60, s-maxage=300, stale-while-revalidate=600';

/** A strong ETag: the SHA-256 of the exact bytes sent (uncompressed representation). */
export function strongEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

const matches = (header: string | undefined, etag: string) =>
  !!header && header.split(',').some((t) => t.trim() === etag || t.trim() === '*');

/**
 * Sends an anonymous public representation with Cache-Control, a strong ETag and Vary; answers 304 when the
 * client already holds it (If-None-Match).
 */
export function sendCacheable(req: FastifyRequest, reply: FastifyReply, type: string, body: string) {
  const etag = strongEtag(body);
  reply.header('cache-control', PUBLIC_CACHE).header('etag', etag).header('vary', 'Accept-Encoding');
  if (matches(req.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type(type).send(body);
}

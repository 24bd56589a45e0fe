import type { JWT } from '@fastify/jwt';
import type { Platform } from '@zhanqun/adapters';
import { type Actor, AppError, anonymous, loadApiTokenActor, loadUserActor } from '@zhanqun/core';
import type { FastifyRequest } from 'fastify';

export const JWT_ISSUER = 'zhanqun';
export const JWT_AUDIENCE = 'zhanqun-api';

/**
 * Turns the bearer credential into an actor: none → anonymous; `zqt_…` → an API token of one site; anything
 * else must be one of our access JWTs. A credential that is present but bad is an error, never anonymous.
 */
export async function resolveActor(req: FastifyRequest, jwt: JWT, platform: Platform, now: Date): Promise<Actor> {
  const header = req.headers.authorization;
  if (!header) return anonymous;
  const [scheme, token] = header.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !token)
    throw new AppError('TOKEN_INVALID', 'Use Authorization: Bearer <token>');
  const em = platform.orm.em.fork();
  if (token.startsWith('zqt_')) return loadApiTokenActor(em, token, now);
  let claims: { sub?: unknown; sv?: unknown };
  try {
    claims = jwt.verify<{ sub?: unknown; sv?: unknown }>(token);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new AppError(code === 'FAST_JWT_EXPIRED' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
  }
  // Tokens issued before session versions existed carry none: they count as version 0.
  return loadUserActor(em, claims.sub, now, claims.sv ?? 0);
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { dummyPasswordHash, verifyPassword } from '../people/password.ts';
import { User } from '../people/user.entity.ts';
import { findUserByEmail } from '../people/user.service.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { assertAttemptAllowed, recordLoginSuccess } from './login-throttle.ts';
import { newSecret, secretHash } from './secrets.ts';
import { RefreshToken } from './token.entities.ts';

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

const loginInput = z.object({ email: z.string().trim().toLowerCase().max(200), password: z.string().max(200) });

async function issueSession(ctx: Ctx, em: EntityManager, user: User, familyId: string): Promise<Session> {
  if (!ctx.signAccessToken) throw new Error('signAccessToken is not configured');
  const now = ctx.now();
  const refreshToken = newSecret('zqr');
  em.create(RefreshToken, {
    id: randomUUID(),
    userId: user.id,
    familyId,
    tokenHash: secretHash(refreshToken),
    expiresAt: new Date(now.getTime() + ctx.settings.refreshTokenTtlDays * 86_400_000),
    usedAt: null,
    revokedAt: null,
    createdAt: now,
  });
  await em.flush();
  const ttl = ctx.settings.accessTokenTtlSeconds;
  return { accessToken: await ctx.signAccessToken({ sub: user.id }, ttl), refreshToken, expiresIn: ttl, user };
}

/**
 * Every failure is answered alike (same error, same work: a dummy hash is verified when the e-mail is
 * unknown), so the answer never tells whether an account exists. Failures are throttled per e-mail and address.
 */
export async function login(ctx: Ctx, raw: { email: string; password: string }): Promise<Session> {
  const input = parseInput(loginInput, raw);
  const now = ctx.now();
  const emailKey = `email:${input.email}`;
  const addressKey = ctx.clientAddress ? `ip:${ctx.clientAddress}` : null;
  const limits = ctx.settings.login;
  // Counted before the (slow, on purpose) password check, so concurrent guesses cannot all slip through.
  // An address may try several accounts (a shared office NAT), so its limit is wider.
  await assertAttemptAllowed(
    ctx.em,
    [
      { key: emailKey, limit: limits.maxFailures },
      ...(addressKey ? [{ key: addressKey, limit: limits.maxFailures * 4 }] : []),
    ],
    limits,
    now,
  );
  const user = await findUserByEmail(ctx.em, input.email);
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !valid || user.disabled) throw new AppError('INVALID_CREDENTIALS');
  await recordLoginSuccess(ctx.em, emailKey, addressKey);
  return ctx.em.transactional((tx) => issueSession(ctx, tx, user, randomUUID()));
}

async function revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
  await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: now });
}

/**
 * Rotates a refresh token: the presented one is spent and a new one of the same family issued. A spent token
 * presented again means it was stolen or replayed: the whole family is revoked.
 */
export async function refreshSession(ctx: Ctx, refreshToken: string): Promise<Session> {
  const now = ctx.now();
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: secretHash(refreshToken) });
  if (!token || token.revokedAt) throw new AppError('TOKEN_INVALID');
  if (token.usedAt) {
    await revokeFamily(ctx.em, token.familyId, now);
    throw new AppError('REFRESH_TOKEN_REUSED');
  }
  if (token.expiresAt <= now) throw new AppError('TOKEN_EXPIRED');
  const user = await ctx.em.findOne(User, { id: token.userId });
  if (!user || user.disabled) throw new AppError('TOKEN_INVALID');
  const session = await ctx.em.transactional(async (tx) => {
    // Conditional update: of two concurrent refreshes with the same token, exactly one wins.
    const spent = await tx.nativeUpdate(RefreshToken, { id: token.id, usedAt: null, revokedAt: null }, { usedAt: now });
    if (spent === 0) return null;
    return issueSession(ctx, tx, user, token.familyId);
  });
  if (!session) {
    await revokeFamily(ctx.em, token.familyId, now);
    throw new AppError('REFRESH_TOKEN_REUSED');
  }
  return session;
}

/** Ends the session family of this refresh token (the access token simply expires). */
export async function logout(ctx: Ctx, refreshToken: string): Promise<boolean> {
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: secretHash(refreshToken) });
  if (token) await revokeFamily(ctx.em, token.familyId, ctx.now());
  return true;
}

/** Maintenance: drop refresh tokens expired for a week and throttle rows whose window and lock are over. */
export async function purgeExpiredSessions(ctx: Ctx): Promise<{ refreshTokens: number; throttles: number }> {
  const now = ctx.now();
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const refreshTokens = await ctx.em.nativeDelete(RefreshToken, { expiresAt: { $lt: weekAgo } });
  const windowStart = new Date(now.getTime() - ctx.settings.login.windowSeconds * 1000);
  const [row] = await ctx.em.execute<{ n: number }[]>(
    `with gone as (delete from login_throttle where window_started_at < ? and (locked_until is null or locked_until < ?) returning 1)
     select count(*)::int as n from gone`,
    [windowStart, now],
  );
  return { refreshTokens, throttles: row?.n ?? 0 };
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { canAdministerSite, isPlatformWide } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { assertAttemptAllowed, recordLoginSuccess } from '../auth/login-throttle.ts';
import { issueSession, type Session } from '../auth/session.service.ts';
import { RefreshToken } from '../auth/token.entities.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { forkForOwnAccountRecord } from '../shared/scope.ts';
import { parseInput } from '../shared/validation.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from './password.ts';
import { User } from './user.entity.ts';

/**
 * Account care (issue 7): change one's own password, reset another's, disable or re-enable a user. Each ends the
 * user's sessions at once — refresh tokens are revoked and the session version is bumped, so access tokens
 * already handed out stop on their next request (actor-loader.ts) — and each is audited in the same transaction.
 */

/** Ends every session of the user: refresh tokens revoked, access tokens outdated by the new session version. */
async function endSessions(tx: EntityManager, user: User, now: Date): Promise<void> {
  user.sessionVersion += 1;
  user.updatedAt = now;
  await tx.flush();
  await tx.nativeUpdate(RefreshToken, { userId: user.id, revokedAt: null }, { revokedAt: now });
}

const changeInput = z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) });
export type ChangePasswordInput = z.input<typeof changeInput>;

/**
 * The signed-in user changes their password; the current one is required (and attempts count against the log-in
 * throttle, so a stolen access token cannot be used to guess it). Every other session ends; a new one is returned.
 */
export async function changePassword(ctx: Ctx, raw: ChangePasswordInput): Promise<Session> {
  const input = parseInput(changeInput, raw);
  if (ctx.actor.kind !== 'user') throw new AppError('UNAUTHENTICATED');
  const user = await ctx.em.findOne(User, { id: ctx.actor.userId });
  if (!user) throw new AppError('UNAUTHENTICATED');
  const now = ctx.now();
  const emailKey = `email:${user.email}`;
  await assertAttemptAllowed(
    ctx.em,
    [{ key: emailKey, limit: ctx.settings.login.maxFailures }],
    ctx.settings.login,
    now,
  );
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong', { field: 'currentPassword' });
  await recordLoginSuccess(ctx.em, emailKey, null);
  checkPasswordStrength(input.newPassword, user.email, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  // A user's own account belongs to no site: the record goes to the platform chain (the one scope escape here).
  return forkForOwnAccountRecord(ctx).transactional(async (tx) => {
    const u = (await tx.findOne(User, { id: user.id }))!;
    u.passwordHash = hash;
    await endSessions(tx, u, now);
    await appendAudit(tx, ctx, { siteId: null, action: 'user.password.change', targetType: 'User', targetId: u.id });
    return issueSession(ctx, tx, u, randomUUID());
  });
}

interface ActorRow {
  id: string;
  platform_admin: boolean;
  memberships: { siteId: string }[];
}

/**
 * Whose account the actor may care for. Platform admins: anyone. A site admin: a user who is a member of the
 * named site, all of whose memberships lie in sites this admin administers, and who is not a platform admin — so
 * caring for an account never reaches into a site the admin does not run. Anyone else's account is NOT_FOUND.
 * Returns the audit chain the act is recorded in (the named site's, or the platform's).
 */
async function requireCaredForUser(ctx: Ctx, userId: string, siteCode: string | null | undefined) {
  if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED');
  const notFound = () => new AppError('NOT_FOUND', 'User not found', { field: 'userId' });
  let siteId: string | null = null;
  if (siteCode) {
    const site = await requireSiteByCode(ctx, siteCode);
    if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
    siteId = site.id;
  } else if (!isPlatformWide(ctx.actor)) {
    throw new AppError('FORBIDDEN', 'Name the site whose member this is', { field: 'site' });
  }
  // Every membership of the user, across sites (ids only), through the same definer function as sign-in.
  const [row] = await ctx.em.execute<ActorRow[]>('select id, platform_admin, memberships from zq_actor(?)', [userId]);
  if (!row) throw notFound();
  if (!isPlatformWide(ctx.actor)) {
    const sites = row.memberships.map((m) => m.siteId);
    const mine = sites.every((s) => canAdministerSite(ctx.actor, s, ctx.directory));
    if (row.platform_admin || !sites.includes(siteId!) || !mine) throw notFound();
  }
  return { siteId };
}

const userIdInput = z.uuid();
const resetInput = z.object({ userId: userIdInput, newPassword: z.string().max(200), site: z.string().nullish() });
export type ResetPasswordInput = z.input<typeof resetInput>;

/** A site admin (for members of their sites) or a platform admin sets a new password; the user's sessions end. */
export async function resetPassword(ctx: Ctx, raw: ResetPasswordInput): Promise<User> {
  const input = parseInput(resetInput, raw);
  const { siteId } = await requireCaredForUser(ctx, input.userId, input.site);
  const user = (await ctx.em.findOne(User, { id: input.userId }))!;
  checkPasswordStrength(input.newPassword, user.email, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const u = (await tx.findOne(User, { id: input.userId }))!;
    u.passwordHash = hash;
    await endSessions(tx, u, now);
    await appendAudit(tx, ctx, { siteId, action: 'user.password.reset', targetType: 'User', targetId: u.id });
    return u;
  });
}

const disableInput = z.object({
  userId: userIdInput,
  disabled: z.boolean(),
  site: z.string().nullish(),
  reason: z.string().trim().max(500).nullish(),
});
export type SetUserDisabledInput = z.input<typeof disableInput>;

/** Disables (sessions end at once) or re-enables a user. Nobody disables themselves. */
export async function setUserDisabled(ctx: Ctx, raw: SetUserDisabledInput): Promise<User> {
  const input = parseInput(disableInput, raw);
  if (ctx.actor.kind === 'user' && ctx.actor.userId === input.userId && input.disabled)
    throw new AppError('FORBIDDEN', 'You cannot disable your own account', { field: 'userId' });
  const { siteId } = await requireCaredForUser(ctx, input.userId, input.site);
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const u = (await tx.findOne(User, { id: input.userId }))!;
    if (u.disabled === input.disabled) return u;
    u.disabled = input.disabled;
    if (input.disabled) await endSessions(tx, u, now);
    else {
      u.updatedAt = now;
      await tx.flush();
    }
    await appendAudit(tx, ctx, {
      siteId,
      action: input.disabled ? 'user.disable' : 'user.enable',
      targetType: 'User',
      targetId: u.id,
      changes: { disabled: input.disabled, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return u;
  });
}

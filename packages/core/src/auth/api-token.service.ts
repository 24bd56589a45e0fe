import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { assertWritable, requireSiteById, requireSiteByCode } from '../sites/site-lookup.ts';
import { newSecret, secretHash } from './secrets.ts';
import { ApiToken, apiTokenScopes } from './token.entities.ts';

const createInput = z.object({
  site: z.string(),
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(apiTokenScopes))
    .min(1)
    .transform((s) => [...new Set(s)]),
  expiresAt: z.coerce.date(),
});
export type CreateApiTokenInput = z.input<typeof createInput>;

/** Returns the token once; only its hash is kept, so it cannot be shown again. */
export async function createApiToken(
  ctx: Ctx,
  raw: CreateApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const input = parseInput(createInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const now = ctx.now();
  const maxMs = ctx.settings.apiTokenMaxDays * 86_400_000;
  if (input.expiresAt <= now || input.expiresAt.getTime() - now.getTime() > maxMs) {
    throw new AppError(
      'INVALID_INPUT',
      `expiresAt must be in the future and within ${ctx.settings.apiTokenMaxDays} days`,
      {
        field: 'expiresAt',
      },
    );
  }
  const token = newSecret('zqt');
  const apiToken = await ctx.em.transactional(async (tx) => {
    const t = tx.create(ApiToken, {
      id: randomUUID(),
      siteId: site.id,
      name: input.name,
      tokenHash: secretHash(token),
      scopes: input.scopes,
      expiresAt: input.expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      createdAt: now,
    });
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'apiToken.create',
      targetType: 'ApiToken',
      targetId: t.id,
      changes: { name: t.name, scopes: t.scopes, expiresAt: t.expiresAt.toISOString() },
    });
    return t;
  });
  return { token, apiToken };
}

export async function revokeApiToken(ctx: Ctx, id: string): Promise<ApiToken> {
  const parsed = z.uuid().safeParse(id);
  const token = parsed.success ? await ctx.em.findOne(ApiToken, { id }) : null;
  if (!token) throw new AppError('NOT_FOUND', 'API token not found', { field: 'id' });
  const site = await requireSiteById(ctx, token.siteId);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  if (token.revokedAt) return token;
  return ctx.em.transactional(async (tx) => {
    const t = await tx.findOneOrFail(ApiToken, { id });
    t.revokedAt = ctx.now();
    tx.persist(t);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: t.siteId,
      action: 'apiToken.revoke',
      targetType: 'ApiToken',
      targetId: t.id,
      changes: { name: t.name },
    });
    return t;
  });
}

export async function apiTokensOfSites(ctx: Ctx, siteIds: readonly string[]): Promise<ApiToken[]> {
  const ids = siteIds.filter((id) => canAdministerSite(ctx.actor, id, ctx.directory));
  if (ids.length === 0) return [];
  return ctx.em.find(ApiToken, { siteId: { $in: ids } }, { orderBy: { createdAt: 'desc', id: 'asc' } });
}

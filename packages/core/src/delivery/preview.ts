import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { Item } from '../items/item.entity.ts';
import { canSeeDrafts } from '../items/item-access.ts';
import type { Ctx } from '../shared/context.ts';

/** Preview links are short-lived: long enough to review a page, too short to leak a draft for long. */
export const PREVIEW_TTL_SECONDS = 30 * 60;

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

function secretOf(ctx: Ctx): string {
  if (!ctx.settings.previewSecret) throw new AppError('INTERNAL', 'Preview is not configured');
  return ctx.settings.previewSecret;
}

/**
 * A member of the item's site gets a signed preview token for a draft or scheduled item: the theme renders
 * `route(…, preview: token)` with it. The token names one item and expires; it is not an access token.
 */
export async function createPreviewToken(ctx: Ctx, itemId: string): Promise<{ token: string; expiresAt: Date }> {
  const item = /^[0-9a-f-]{36}$/i.test(itemId) ? await ctx.em.findOne(Item, { id: itemId }) : null;
  if (!item || !canSeeDrafts(ctx, item.siteId)) throw new AppError('NOT_FOUND', 'Item not found', { field: 'id' });
  const expiresAt = new Date(ctx.now().getTime() + PREVIEW_TTL_SECONDS * 1000);
  const body = Buffer.from(
    JSON.stringify({ i: item.id, s: item.siteId, e: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return { token: `zqp_${body}.${sign(secretOf(ctx), body)}`, expiresAt };
}

/** The item and site a preview token names, or PREVIEW_TOKEN_INVALID (bad signature, expired, malformed). */
export function verifyPreviewToken(ctx: Ctx, token: string): { itemId: string; siteId: string } {
  const m = /^zqp_([\w-]+)\.([\w-]+)$/.exec(token);
  if (!m) throw new AppError('PREVIEW_TOKEN_INVALID', undefined, { field: 'preview' });
  const expected = Buffer.from(sign(secretOf(ctx), m[1]!));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new AppError('PREVIEW_TOKEN_INVALID', undefined, { field: 'preview' });
  const claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { i: string; s: string; e: number };
  if (claims.e * 1000 < ctx.now().getTime())
    throw new AppError('PREVIEW_TOKEN_INVALID', 'The preview link has expired', { field: 'preview' });
  return { itemId: claims.i, siteId: claims.s };
}

import { canAdministerSite, hasSiteRole, isPlatformWide } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import type { MediaPort } from './media.port.ts';

/**
 * Who may upload, edit and delete a site's media: its editors and admins (and admins above it), and the
 * site's API tokens with MANAGE_CONTENT or IMPORT (migration scripts bring attachments; ADR 0012: no new scope).
 * With `upload`, the site's interaction handlers too (they upload, nothing more).
 */
export function requireMediaWriter(ctx: Ctx, siteId: string, opts: { upload?: boolean } = {}): void {
  const a = ctx.actor;
  if (isPlatformWide(a)) return;
  if (a.kind === 'apiToken') {
    if (a.siteId === siteId && (a.scopes.includes('MANAGE_CONTENT') || a.scopes.includes('IMPORT'))) return;
    throw new AppError('API_TOKEN_SCOPE');
  }
  if (a.kind !== 'user') throw new AppError('UNAUTHENTICATED');
  if (hasSiteRole(a, siteId, 'EDITOR') || canAdministerSite(a, siteId, ctx.directory)) return;
  // Issue 9: the 互动交流 handler uploads an interview's photos and video and a disclosure answer's document
  // (upload only: editing and deleting the library stay with editors and admins).
  if (opts.upload && hasSiteRole(a, siteId, 'INTERACTION_HANDLER')) return;
  throw new AppError('FORBIDDEN');
}

export function mediaPort(ctx: Ctx): MediaPort {
  if (!ctx.media) throw new Error('media storage is not configured in this process');
  return ctx.media;
}

import { canAdministerSite, hasSiteRole, isPlatformWide } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import type { MediaPort } from './media.port.ts';

/**
 * Who may upload, edit and delete a site's media: its editors and admins (and admins above it), and the
 * site's API tokens with MANAGE_CONTENT or IMPORT (migration scripts bring attachments; ADR 0012: no new scope).
 */
export function requireMediaWriter(ctx: Ctx, siteId: string): void {
  const a = ctx.actor;
  if (isPlatformWide(a)) return;
  if (a.kind === 'apiToken') {
    if (a.siteId === siteId && (a.scopes.includes('MANAGE_CONTENT') || a.scopes.includes('IMPORT'))) return;
    throw new AppError('API_TOKEN_SCOPE');
  }
  if (a.kind !== 'user') throw new AppError('UNAUTHENTICATED');
  if (hasSiteRole(a, siteId, 'EDITOR') || canAdministerSite(a, siteId, ctx.directory)) return;
  throw new AppError('FORBIDDEN');
}

export function mediaPort(ctx: Ctx): MediaPort {
  if (!ctx.media) throw new Error('media storage is not configured in this process');
  return ctx.media;
}

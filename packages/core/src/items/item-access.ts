import { canAdministerSite, INTERACTION_CHANNEL, isPlatformWide } from '../access/permissions.policy.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { Site } from '../sites/site.entity.ts';
import { assertWritable } from '../sites/site-lookup.ts';
import { Item } from './item.entity.ts';
import { grantsRoleFor } from './review.policy.ts';

/**
 * Who sees an item's drafts and history: people with any role on its site (and admins above it), and the
 * site's content API tokens. Everyone else sees only what is published.
 */
export function canSeeDrafts(ctx: Ctx, siteId: string): boolean {
  const a = ctx.actor;
  if (isPlatformWide(a)) return true;
  if (a.kind === 'apiToken')
    return a.siteId === siteId && (a.scopes.includes('MANAGE_CONTENT') || a.scopes.includes('IMPORT'));
  if (a.kind !== 'user') return false;
  return a.memberships.some((m) => m.siteId === siteId) || canAdministerSite(a, siteId, ctx.directory);
}

/** A caller who sees no site's drafts (the public, a theme's READ_PUBLISHED token) reads through the public port. */
export function seesNoDrafts(ctx: Ctx): boolean {
  return !ctx.directory.all().some((e) => canSeeDrafts(ctx, e.id));
}

/**
 * The actor must hold one of `roles` for this column (a column-limited membership covers its subtree only).
 * Content API tokens of the site act as editors: they create and edit, and never sign.
 */
export function requireColumnRole(ctx: Ctx, siteId: string, columnPath: string, roles: SiteRole[]): void {
  const a = ctx.actor;
  if (a.kind === 'apiToken') {
    const ok = a.siteId === siteId && a.scopes.includes('MANAGE_CONTENT') && roles.includes('EDITOR');
    if (!ok) throw new AppError('API_TOKEN_SCOPE');
    return;
  }
  if (a.kind !== 'user') throw new AppError(a.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
  const grants = roles.map((r) => grantsRoleFor(a.memberships, siteId, r, columnPath));
  if (grants.includes('YES')) return;
  // 2015 §4: the interaction handler is the entry clerk (level 1) of the replies in the 互动交流 channel.
  const interaction = columnPath === INTERACTION_CHANNEL || columnPath.startsWith(`${INTERACTION_CHANNEL}/`);
  if (interaction && roles.includes('EDITOR')) {
    if (grantsRoleFor(a.memberships, siteId, 'INTERACTION_HANDLER', columnPath) === 'YES') return;
  }
  throw new AppError(grants.includes('OUT_OF_SCOPE') ? 'COLUMN_OUT_OF_SCOPE' : 'FORBIDDEN');
}

/** An item to work on: visible to the actor (RLS), on a writable site, with its home column. */
export async function loadItemForWork(ctx: Ctx, id: string): Promise<{ item: Item; column: Column; site: Site }> {
  const item = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Item, { id }) : null;
  if (!item) throw new AppError('NOT_FOUND', 'Item not found', { field: 'id' });
  const [column, site] = await Promise.all([
    ctx.em.findOneOrFail(Column, { id: item.columnId }),
    ctx.em.findOneOrFail(Site, { id: item.siteId }),
  ]);
  assertWritable(site);
  return { item, column, site };
}

/** A column of the site by path (/zwgk/fdzdgknr/zcwj) or id. */
export async function requireColumnOf(ctx: Ctx, siteId: string, ref: string, field = 'column'): Promise<Column> {
  const where = ref.startsWith('/') ? { siteId, path: ref } : /^[0-9a-f-]{36}$/i.test(ref) ? { siteId, id: ref } : null;
  const column = where ? await ctx.em.findOne(Column, where) : null;
  if (!column) throw new AppError('NOT_FOUND', 'Column not found in this site', { field });
  return column;
}

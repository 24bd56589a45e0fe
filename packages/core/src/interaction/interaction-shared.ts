import type { EntityManager } from '@mikro-orm/sql';
import { canHandleInteraction } from '../access/permissions.policy.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import { Item } from '../items/item.entity.ts';
import { requireColumnOf } from '../items/item-access.ts';
import type { Ctx } from '../shared/context.ts';
import { isContentPublicStatus } from '../sites/site.service.ts';
import type { DirectoryEntry } from '../sites/site-directory.ts';
import { assertWritable, requireSiteByCode } from '../sites/site-lookup.ts';

/** A site whose interaction the actor handles (interaction handlers, admins); others are NOT_FOUND or FORBIDDEN. */
export async function requireInteractionSite(ctx: Ctx, code: string, opts: { write?: boolean } = {}) {
  await ctx.directory.fresh();
  const site = await requireSiteByCode(ctx, code);
  if (!canHandleInteraction(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  if (opts.write) assertWritable(site);
  return site;
}

/** A site the public writes to: online, or it does not exist for them. */
export async function requireOnlineSite(ctx: Ctx, code: string): Promise<DirectoryEntry> {
  const entry = (await ctx.directory.fresh()).byCode(code);
  if (entry?.status !== 'ONLINE') throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  return entry;
}

/**
 * Whether the public may read a site's interaction (online or closing: a taken-down site serves no content, issue 7),
 * or the actor handles it.
 */
export async function readableSite(ctx: Ctx, code: string): Promise<{ entry: DirectoryEntry; handler: boolean }> {
  const entry = (await ctx.directory.fresh()).byCode(code);
  const handler = !!entry && canHandleInteraction(ctx.actor, entry.id, ctx.directory);
  if (!entry || !(handler || isContentPublicStatus(entry.status))) {
    throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  }
  return { entry, handler };
}

/** The column given, or the first of the template's interaction columns the site has (互动交流, 2015 §4). */
export async function interactionColumn(
  ctx: Ctx,
  siteId: string,
  given: string | null | undefined,
  defaults: string[],
): Promise<Column> {
  if (given) return requireColumnOf(ctx, siteId, given);
  const found = await ctx.em.find(Column, { siteId, path: { $in: defaults } });
  const column = defaults.map((p) => found.find((c) => c.path === p)).find(Boolean);
  if (!column) throw new AppError('NOT_FOUND', `No column ${defaults.join(' or ')} in this site`, { field: 'column' });
  return column;
}

/** Whether an item is live: published through the three-level review and not withdrawn. */
export async function isItemLive(em: EntityManager, itemId: string | null | undefined): Promise<boolean> {
  if (!itemId) return false;
  const item = await em.findOne(Item, { id: itemId });
  return !!item && item.state === 'PUBLISHED' && !item.withdrawnAt && !!item.publishedRevisionId;
}

/** Formats an instant as China Standard Time, minutes (the public's clock). */
export function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import { Item, ItemPlacement } from '../items/item.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { assertWritable, requireSiteById } from '../sites/site-lookup.ts';
import { recordColumnSubtreeChanges } from '../search/search-outbox.ts';
import { recordColumnChanged } from '../webhooks/webhook-events.ts';
import { writeRedirects } from '../delivery/redirect.service.ts';
import { refreshColumnSubtreeListings } from '../items/item-listing.ts';
import { Column } from './column.entity.ts';

async function requireOpenColumn(ctx: Ctx, id: string, field: string) {
  const column = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Column, { id }) : null;
  if (!column) throw new AppError('NOT_FOUND', 'Column not found', { field });
  const site = await requireSiteById(ctx, column.siteId);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  if (column.status !== 'OPEN')
    throw new AppError('COLUMN_CLOSED', `The column is already ${column.status}`, { field });
  return column;
}

/**
 * 2015 §14: a column whose updates cannot be guaranteed is merged into another. Its items move (home column and
 * placements), and it remembers where they went so old addresses can redirect.
 */
export async function mergeColumn(ctx: Ctx, id: string, intoId: string): Promise<Column> {
  const source = await requireOpenColumn(ctx, id, 'id');
  const target = await requireOpenColumn(ctx, intoId, 'into');
  if (source.siteId !== target.siteId)
    throw new AppError('NOT_FOUND', 'Column not found in this site', { field: 'into' });
  if (source.id === target.id)
    throw new AppError('INVALID_INPUT', 'A column cannot be merged into itself', { field: 'into' });
  if (source.locked) throw new AppError('COLUMN_LOCKED', undefined, { field: 'id' });
  if ((await ctx.em.count(Column, { parentId: source.id })) > 0) {
    throw new AppError('COLUMN_NOT_EMPTY', 'Move or merge its child columns first', { field: 'id' });
  }
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const moved = await tx.nativeUpdate(Item, { columnId: source.id }, { columnId: target.id, updatedAt: now });
    // Items already placed in the target keep that placement; the rest move over.
    await tx.execute(
      `delete from item_placement p where p.column_id = ? and exists
         (select 1 from item_placement q where q.item_id = p.item_id and q.column_id = ?)`,
      [source.id, target.id],
    );
    await tx.nativeUpdate(ItemPlacement, { columnId: source.id }, { columnId: target.id });
    await tx.execute(
      `update item_placement p set home = (i.column_id = p.column_id) from item i where i.id = p.item_id and p.column_id = ?`,
      [target.id],
    );
    await recordColumnSubtreeChanges(tx, target.siteId, target.path, 'column-merge');
    // The merged column's address and its items' addresses lead to the target (2015 §14).
    await writeRedirects(
      tx,
      target.siteId,
      [{ fromPath: source.path, targetColumnId: target.id, reason: 'COLUMN_MERGED' }],
      now,
    );
    await refreshColumnSubtreeListings(tx, target.siteId, target.path);
    const c = await tx.findOneOrFail(Column, { id: source.id });
    Object.assign(c, {
      status: 'MERGED',
      mergedIntoId: target.id,
      visible: false,
      statusChangedAt: now,
      updatedAt: now,
    });
    tx.persist(c);
    await tx.flush();
    await recordColumnChanged(tx, c, 'merged', now, { into: { id: target.id, path: target.path } });
    await appendAudit(tx, ctx, {
      siteId: c.siteId,
      action: 'column.merge',
      targetType: 'Column',
      targetId: c.id,
      changes: { path: c.path, into: target.path, itemsMoved: moved },
    });
    return c;
  });
}

/** 2015 §14: closing a column hides it; its published items stay on record. */
export async function closeColumn(ctx: Ctx, id: string, reason?: string | null): Promise<Column> {
  const source = await requireOpenColumn(ctx, id, 'id');
  if (source.locked) throw new AppError('COLUMN_LOCKED', undefined, { field: 'id' });
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Column, { id: source.id });
    Object.assign(c, { status: 'CLOSED', visible: false, statusChangedAt: now, updatedAt: now });
    tx.persist(c);
    await tx.flush();
    await recordColumnSubtreeChanges(tx, c.siteId, c.path, 'column-close');
    await refreshColumnSubtreeListings(tx, c.siteId, c.path);
    await recordColumnChanged(tx, c, 'closed', now);
    await appendAudit(tx, ctx, {
      siteId: c.siteId,
      action: 'column.close',
      targetType: 'Column',
      targetId: c.id,
      changes: { path: c.path, reason: reason ?? null },
    });
    return c;
  });
}

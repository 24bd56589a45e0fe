import type { EntityManager } from '@mikro-orm/sql';
import { SearchChange } from './search-change.entity.ts';

/**
 * Records, inside the caller's transaction, that these items' public search documents must be refreshed. The
 * record exists exactly when the change does; the worker delivers it later (at least once, idempotently).
 */
export async function recordSearchChanges(
  tx: EntityManager,
  items: { id: string; siteId: string }[],
  reason: string,
): Promise<void> {
  if (items.length === 0) return;
  await tx.insertMany(
    SearchChange,
    items.map((i) => ({ itemId: i.id, siteId: i.siteId, reason, createdAt: new Date(), processedAt: null })),
  );
}

/** Every live item with a placement in the column subtree at `path` (a move or close changes their documents). */
export async function recordColumnSubtreeChanges(
  tx: EntityManager,
  siteId: string,
  path: string,
  reason: string,
): Promise<void> {
  await tx.execute(
    `insert into search_change (item_id, site_id, reason)
     select distinct p.item_id, p.item_site_id, ? from item_placement p join site_column c on c.id = p.column_id
      where c.site_id = ? and (c.path = ? or c.path like ?) and p.live`,
    [reason, siteId, path, `${path.replace(/[\\%_]/g, '\\$&')}/%`],
  );
}

/** Every published item of a site (its status changed: online, closing, archived). */
export async function recordSiteChanges(tx: EntityManager, siteId: string, reason: string): Promise<void> {
  await tx.execute(
    `insert into search_change (item_id, site_id, reason)
     select id, site_id, ? from item where site_id = ? and published_revision_id is not null`,
    [reason, siteId],
  );
}

import type { EntityManager } from '@mikro-orm/sql';

/*
 * The list projection (issue 10). What a public list shows of an item is a pure function of the database: its
 * live placements in visible columns, with the item's public fields and its published revision's content minus
 * the body. Rather than patch rows field by field on each kind of change, a change rewrites the affected items'
 * rows from that function, inside its own transaction (so the list changes exactly when the change commits, and
 * a rollback leaves it as it was). The migration that created the table backfilled it with the same select.
 */
/** The statement that (re)writes the listing rows of the items `itemSet` selects (also used by bench/ seeding). */
export const listingInsertSql = (itemSet: string) => `
insert into item_listing (item_id, column_id, site_id, item_site_id, home, published_at, kind, locale, slug,
                          translation_group_id, translation_of_id, translation_source_number, revision_id,
                          revision_number, content, last_published_at, index_number, deadline_at, created_at,
                          updated_at)
select p.item_id, p.column_id, p.site_id, p.item_site_id, p.home, p.published_at, i.kind, i.locale, i.slug,
       i.translation_group_id, i.translation_of_id, i.translation_source_number, r.id, r.number,
       r.content - 'body', coalesce(i.last_published_at, p.published_at), i.index_number, i.deadline_at,
       i.created_at, i.updated_at
  from item_placement p
  join item i on i.id = p.item_id
  join item_revision r on r.id = i.published_revision_id
  join site_column c on c.id = p.column_id and c.visible and c.status = 'OPEN'
 where p.item_id in (${itemSet}) and p.live and p.published_at is not null and i.withdrawn_at is null`;

async function rewriteListings(tx: EntityManager, itemSet: string, params: unknown[]): Promise<void> {
  // Pending entity changes (the item's new published revision, its placements) must reach the database first.
  await tx.flush();
  await tx.execute(`delete from item_listing where item_id in (${itemSet})`, params);
  await tx.execute(listingInsertSql(itemSet), params);
}

/**
 * Rewrites the listing rows of these items from their current state (none if not live): call it, in the same
 * transaction, after any change to an item's publication, placements or slug.
 */
export async function refreshListings(tx: EntityManager, itemIds: string[]): Promise<void> {
  const ids = [...new Set(itemIds)];
  if (ids.length === 0) return;
  await rewriteListings(tx, '?', [ids]);
}

/**
 * Rewrites the listing rows of every item placed in the column subtree at `path` (hidden or shown, moved, merged,
 * closed), in two statements however many items that is.
 */
export async function refreshColumnSubtreeListings(tx: EntityManager, siteId: string, path: string): Promise<void> {
  const subtree = `select q.item_id from item_placement q join site_column k on k.id = q.column_id
                    where k.site_id = ? and (k.path = ? or k.path like ?)`;
  await rewriteListings(tx, subtree, [siteId, path, `${path.replace(/[\\%_]/g, '\\$&')}/%`]);
}

/** Rewrites the listing rows of the items a subquery selects (an import run's items: one statement each way). */
export async function refreshListingsOf(tx: EntityManager, itemSetSql: string, params: unknown[]): Promise<void> {
  await rewriteListings(tx, itemSetSql, params);
}

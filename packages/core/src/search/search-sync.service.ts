import type { EntityManager } from '@mikro-orm/sql';
import type { ItemContent } from '../items/item.content.ts';
import type { Ctx } from '../shared/context.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { type IndexableItem, SEARCHABLE_SITE_STATUSES, searchDocument } from './search-document.ts';
import type { SearchDocument, SearchIndex } from './search.port.ts';

interface LiveRow {
  id: string;
  site_id: string;
  column_id: string;
  kind: string;
  locale: string;
  slug: string;
  index_number: string | null;
  published_at: Date;
  last_published_at: Date;
  published_number: number;
  content: ItemContent;
  body_text: string;
}

/**
 * The current public documents of these items (live items of searchable sites); items absent from the result
 * must be removed from the index. Reads the database as it is now, never an event's payload.
 */
export async function indexableDocuments(
  em: EntityManager,
  dir: SiteDirectory,
  itemIds: string[],
): Promise<SearchDocument[]> {
  if (itemIds.length === 0) return [];
  const rows = await em.execute<LiveRow[]>(
    `select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.index_number, i.published_at, i.last_published_at,
            i.published_number, r.content, r.body_text
       from item i join item_revision r on r.id = i.published_revision_id
      where i.id in (?) and i.withdrawn_at is null`,
    [itemIds],
  );
  const live = rows.filter((r) => SEARCHABLE_SITE_STATUSES.has(dir.byId(r.site_id)?.status ?? ''));
  if (live.length === 0) return [];
  // Only placements in visible, open columns are public (a hidden or closed column takes its items off the site).
  const placements = await em.execute<{ item_id: string; column_id: string }[]>(
    `select p.item_id, p.column_id from item_placement p join site_column c on c.id = p.column_id
      where p.item_id in (?) and c.visible and c.status = 'OPEN'`,
    [live.map((r) => r.id)],
  );
  const columns = await em.execute<{ id: string; path: string; site_id: string }[]>(
    'select id, path, site_id from site_column where site_id in (?)',
    [[...new Set(live.map((r) => r.site_id))]],
  );
  const placed = new Set(placements.map((p) => p.item_id));
  return live
    .filter((r) => placed.has(r.id))
    .map((r) => {
      const item: IndexableItem = {
        id: r.id,
        siteId: r.site_id,
        columnId: r.column_id,
        kind: r.kind,
        locale: r.locale,
        slug: r.slug,
        indexNumber: r.index_number,
        publishedAt: new Date(r.published_at),
        lastPublishedAt: new Date(r.last_published_at),
        publishedNumber: r.published_number,
        content: r.content,
        bodyText: r.body_text,
        placementColumnIds: placements.filter((p) => p.item_id === r.id).map((p) => p.column_id),
      };
      return searchDocument(
        item,
        dir,
        columns.filter((c) => c.site_id === r.site_id),
      );
    });
}

export interface DeliveryResult {
  processed: number;
  upserted: number;
  removed: number;
}

/**
 * Delivers pending change records to the index in one batch. One delivery runs at a time platform-wide (an
 * advisory lock), and each re-reads the current state, so an older version can never overwrite a newer one and
 * a retry after a failure (Meilisearch down) is harmless: the records stay pending until the index accepted them.
 */
export async function deliverSearchChanges(ctx: Ctx, index: SearchIndex, batch = 500): Promise<DeliveryResult> {
  await ctx.directory.fresh();
  return ctx.em.transactional(async (tx) => {
    const [lock] = await tx.execute<{ ok: boolean }[]>(
      "select pg_try_advisory_xact_lock(hashtextextended('zq.search-sync', 0)) as ok",
    );
    if (!lock?.ok) return { processed: 0, upserted: 0, removed: 0 };
    const pending = await tx.execute<{ id: string; item_id: string }[]>(
      'select id, item_id from search_change where processed_at is null order by id limit ? for update skip locked',
      [batch],
    );
    if (pending.length === 0) return { processed: 0, upserted: 0, removed: 0 };
    // Site names and statuses go into the documents: read them as they are now, not as cached up to a TTL ago.
    await ctx.directory.reload();
    const itemIds = [...new Set(pending.map((p) => p.item_id))];
    const docs = await indexableDocuments(tx, ctx.directory, itemIds);
    const keep = new Set(docs.map((d) => d.id));
    const gone = itemIds.filter((id) => !keep.has(id));
    // Both tasks queued before waiting for either (disjoint ids, so their order does not matter): Meilisearch can
    // batch them together, and the lock is held for one indexing round, not two (issue 10: fresh under load).
    await Promise.all([docs.length ? index.upsert(docs) : null, gone.length ? index.remove(gone) : null]);
    await tx.execute('update search_change set processed_at = now() where id in (?)', [pending.map((p) => p.id)]);
    return { processed: pending.length, upserted: docs.length, removed: gone.length };
  });
}

/** Delivers until nothing is pending (tests, the CLI, and the worker after an outage). */
export async function deliverAllSearchChanges(ctx: Ctx, index: SearchIndex): Promise<DeliveryResult> {
  const total = { processed: 0, upserted: 0, removed: 0 };
  for (;;) {
    const r = await deliverSearchChanges(ctx, index);
    total.processed += r.processed;
    total.upserted += r.upserted;
    total.removed += r.removed;
    if (r.processed === 0) return total;
  }
}

/** Maintenance: delivered change records older than a week are history nobody needs. */
export async function purgeDeliveredSearchChanges(ctx: Ctx, olderThanDays = 7): Promise<number> {
  await ctx.directory.fresh();
  const cutoff = new Date(ctx.now().getTime() - olderThanDays * 86_400_000);
  const [row] = await ctx.em.execute<{ n: number }[]>(
    'with gone as (delete from search_change where processed_at < ? returning 1) select count(*)::int as n from gone',
    [cutoff],
  );
  return row?.n ?? 0;
}

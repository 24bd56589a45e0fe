/**
 * Items a re-run puts in another column (issue 11: a changed `--map`, a column mapped elsewhere). The apply step
 * only records where each item of the run belongs (`import_record.column_id` of its ITEM record) — nothing
 * public changes before the run is signed (2015 §12) — and the publication moves them, in its transaction:
 * the home column and placement change, and the address the item had is recorded in the redirect map, so the
 * platform URL it was published at keeps working (301) besides its legacy URLs, which lead to the item itself.
 */
import type { EntityManager } from '@mikro-orm/sql';
import { type RedirectEntry, writeRedirects } from '../delivery/redirect.service.ts';
import { itemUrlPath } from '../delivery/url.policy.ts';

interface Move {
  id: string;
  slug: string;
  locale: string;
  from_path: string;
  to_id: string;
  published: boolean;
  locales: string[];
}

/** Moves the run's items whose decided column is not their home column. Returns how many moved. */
export async function moveRunItems(tx: EntityManager, run: { id: string; siteId: string }, now: Date): Promise<number> {
  const moves = await tx.execute<Move[]>(
    `select i.id, i.slug, i.locale, fc.path as from_path, r.column_id as to_id, s.locales,
            (i.published_revision_id is not null and i.withdrawn_at is null) as published
       from import_record r join item i on i.id = r.item_id
       join site_column fc on fc.id = i.column_id
       join site s on s.id = i.site_id
      where r.run_id = ? and r.kind = 'ITEM' and r.column_id is not null and i.column_id <> r.column_id
      order by r.seq`,
    [run.id],
  );
  if (!moves.length) return 0;
  // A slug already used in the target column (by another item) takes the item's short id: the item keeps one
  // address per column, and its old one redirects.
  const held = await tx.execute<{ column_id: string; slug: string; locale: string }[]>(
    `select column_id, slug, locale from item
      where site_id = ? and column_id in (?) and slug in (?) and id not in (?)`,
    [
      run.siteId,
      [...new Set(moves.map((m) => m.to_id))],
      [...new Set(moves.map((m) => m.slug))],
      moves.map((m) => m.id),
    ],
  );
  const taken = new Set(held.map((h) => `${h.column_id}/${h.locale}/${h.slug}`));
  const redirects: RedirectEntry[] = [];
  for (const m of moves) {
    let slug = m.slug;
    if (taken.has(`${m.to_id}/${m.locale}/${slug}`)) slug = `${slug.slice(0, 90)}-${m.id.slice(0, 8)}`;
    taken.add(`${m.to_id}/${m.locale}/${slug}`);
    if (m.published)
      redirects.push({
        fromPath: itemUrlPath(m.from_path, m.slug, m.locale, m.locales),
        targetItemId: m.id,
        reason: 'LEGACY_IMPORT',
      });
    await tx.execute('update item set column_id = ?, slug = ?, updated_at = ? where id = ?', [
      m.to_id,
      slug,
      now,
      m.id,
    ]);
    // The old home placement goes; an extra placement in the new home column becomes the home one. Placements go
    // live with the rest of the run (publishRunInTx).
    await tx.execute('delete from item_placement where item_id = ? and (home or column_id = ?)', [m.id, m.to_id]);
    await tx.execute(
      `insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, published_at, created_at)
       values (?, ?, ?, ?, true, false, null, ?)`,
      [m.id, m.to_id, run.siteId, run.siteId, now],
    );
  }
  await writeRedirects(tx, run.siteId, redirects, now);
  return moves.length;
}

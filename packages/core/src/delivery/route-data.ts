import type { EntityManager } from '@mikro-orm/sql';
import type { ItemContent } from '../items/item.content.ts';
import type { ItemPage } from '../items/item.queries.ts';
import { type ItemView, type PublicItemRow, viewOfPublicRow } from '../items/item-view.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursorValue, encodeCursorValue, pageSize } from '../shared/pagination.ts';
import { Site } from '../sites/site.entity.ts';

/** A column row as the route reads it (all of the site's columns, hidden and closed ones too). */
export interface ColumnRow {
  id: string;
  parent_id: string | null;
  code: string;
  path: string;
  name: string;
  names: Record<string, string> | null;
  type: string;
  visible: boolean;
  status: 'OPEN' | 'CLOSED' | 'MERGED';
  merged_into_id: string | null;
  link_url: string | null;
  description: string | null;
  keywords: string | null;
  sort_order: number;
}

/** The site record and all its columns in one statement (the route's first and often only read). */
export async function loadSiteAndColumns(tx: EntityManager, siteId: string) {
  const [row] = await tx.execute<(Record<string, unknown> & { columns: ColumnRow[] })[]>(
    `select s.*, coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'parent_id', c.parent_id, 'code', c.code,
              'path', c.path, 'name', c.name, 'names', c.names, 'type', c.type, 'visible', c.visible, 'status', c.status,
              'merged_into_id', c.merged_into_id, 'link_url', c.link_url, 'description', c.description,
              'keywords', c.keywords, 'sort_order', c.sort_order) order by c.sort_order, c.code)
            from site_column c where c.site_id = s.id), '[]'::jsonb) as columns
       from site s where s.id = ?`,
    [siteId],
  );
  if (!row) return null;
  const { columns, ...site } = row;
  return { site: tx.map(Site, site), columns };
}

/**
 * The public route's one statement (issue 10): the site, all its columns and — for an item address — the
 * published item(s) at (column path, slug), one per locale, from the definer-rights function zq_public_route on
 * the prepared-statement port (no transaction; the port may keep a site's tree while the function says its
 * version is current). Null when the site is unknown or still being prepared.
 */
export async function loadPublicRoute(
  ctx: Ctx,
  siteId: string,
  columnPath: string | null,
  slug: string | null,
): Promise<{ site: Site; columns: ColumnRow[]; items: ItemRow[]; memo: Map<string, unknown> } | null> {
  const rows = (
    ctx.publicReads
      ? await ctx.publicReads.route(siteId, columnPath, slug)
      : await ctx.unscopedEm.execute('select * from zq_public_route(?, ?, ?, null)', [siteId, columnPath, slug])
  ) as { site: Record<string, unknown>; columns: ColumnRow[]; items: ItemRow[] | null; memo?: Map<string, unknown> }[];
  const row = rows[0];
  if (!row) return null;
  // What is derived from this version of the site and its columns is kept with it (the port drops both together).
  const memo = row.memo ?? new Map<string, unknown>();
  let site = memo.get('site') as Site | undefined;
  if (!site) {
    const raw = { ...row.site };
    // jsonb carries timestamps as text: the entity wants dates.
    for (const k of ['status_changed_at', 'taken_down_at', 'created_at', 'updated_at']) {
      if (typeof raw[k] === 'string') raw[k] = new Date(raw[k] as string);
    }
    site = ctx.unscopedEm.map(Site, raw);
    memo.set('site', site);
  }
  return { site, columns: row.columns, items: row.items ?? [], memo };
}

/** The item at (column, slug, locale) with its published revision — body included — in one statement. */
export interface ItemRow {
  id: string;
  site_id: string;
  column_id: string;
  kind: string;
  state: string;
  locale: string;
  slug: string;
  translation_group_id: string;
  translation_of_id: string | null;
  translation_source_number: number | null;
  published_revision_id: string | null;
  published_number: number | null;
  published_at: Date | null;
  last_published_at: Date | null;
  index_number: string | null;
  deadline_at: Date | null;
  withdrawn_at: Date | null;
  created_at: Date;
  updated_at: Date;
  content: ItemContent | null;
  head_revision_id: string | null;
  head_number: number;
  head_content: ItemContent | null;
}

/** With `head`, the working (head) revision instead: only for a verified preview token of this very item. */
export async function loadItemAt(
  tx: EntityManager,
  siteId: string,
  columnId: string,
  slug: string,
  locale: string,
  head = false,
) {
  const [row] = await tx.execute<ItemRow[]>(
    `select i.id, i.site_id, i.column_id, i.kind, i.state, i.locale, i.slug, i.translation_group_id,
            i.translation_of_id, i.translation_source_number, i.published_revision_id, i.published_number,
            i.published_at, i.last_published_at, i.index_number, i.deadline_at, i.withdrawn_at, i.created_at,
            i.updated_at, r.content, i.head_revision_id, i.head_number, h.content as head_content
       from item i left join item_revision r on r.id = i.published_revision_id
       left join item_revision h on ? and h.id = i.head_revision_id
      where i.site_id = ? and i.column_id = ? and i.slug = ? and i.locale = ?`,
    [head, siteId, columnId, slug, locale],
  );
  return row ?? null;
}

/** The public view of a live item row (its published revision, never a draft). */
export function publicViewOfRow(r: ItemRow): ItemView {
  return viewOfPublicRow({
    ...r,
    revision_id: r.published_revision_id!,
    revision_number: r.published_number!,
    content: r.content!,
    published_at: r.published_at!,
    last_published_at: r.last_published_at ?? r.published_at!,
  } satisfies PublicItemRow);
}

/** The draft (head revision) view of an item for a preview: never public, never cached, never searched. */
export function previewViewOfRow(r: ItemRow): ItemView {
  return {
    ...viewOfPublicRow({
      ...r,
      revision_id: r.head_revision_id!,
      revision_number: r.head_number,
      content: r.head_content!,
      published_at: r.published_at!,
      last_published_at: r.last_published_at ?? r.published_at!,
    }),
    state: r.state as ItemView['state'],
    live: false,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    lastPublishedAt: r.last_published_at ? new Date(r.last_published_at) : null,
  };
}

export interface RedirectRow {
  from_path: string;
  target_column_id: string | null;
  target_url: string | null;
  gone: boolean;
  reason: string;
  item_column_id: string | null;
  item_slug: string | null;
  item_locale: string | null;
}

/** The redirect rows for any of the candidate paths (a path and the columns above it), longest first. */
export async function loadRedirects(tx: EntityManager, siteId: string, candidates: string[]) {
  return tx.execute<RedirectRow[]>(
    `select r.from_path, r.target_column_id, r.target_url, r.gone, r.reason,
            i.column_id as item_column_id, i.slug as item_slug, i.locale as item_locale
       from site_redirect r left join item i on i.id = r.target_item_id
      where r.site_id = ? and r.from_path in (?) order by length(r.from_path) desc`,
    [siteId, candidates],
  );
}

/**
 * A page of a column's (or the home page's) live items through the public read path: `zq_public_items` on the
 * prepared-statement port, or `zq_public_items_under` (the same port, migration 0026's ADR 0029) when the listing
 * includes descendant columns. No bodies.
 */
export async function publicItemPage(
  ctx: Ctx,
  args: {
    siteId: string;
    columnPath: string | null;
    descendants: boolean;
    first?: number | null;
    after?: string | null;
  },
): Promise<ItemPage> {
  const limit = pageSize(args.first);
  const after = args.after ? (decodeCursorValue(args.after, ['datetime', 'uuid']) as [string, string]) : undefined;
  const a = {
    siteId: args.siteId,
    columnPath: args.columnPath,
    kind: null,
    limit: limit + 1,
    afterAt: after?.[0] ?? null,
    afterId: after?.[1] ?? null,
  };
  const fn = args.descendants && args.columnPath ? 'zq_public_items_under' : 'zq_public_items';
  const rows = (
    ctx.publicReads
      ? await ctx.publicReads.items({ ...a, descendants: fn === 'zq_public_items_under' })
      : await ctx.unscopedEm.execute(`select * from ${fn}(?, ?, ?, ?, ?, ?)`, Object.values(a))
  ) as PublicItemRow[];
  const nodes = rows.slice(0, limit);
  return {
    nodes: nodes.map(viewOfPublicRow),
    cursors: nodes.map((n) => encodeCursorValue([new Date(n.published_at).toISOString(), n.id])),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== undefined,
  };
}

import { isSameOrBelow } from '../columns/column.policy.ts';
import type { ItemContent } from '../items/item.content.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { SearchDocument } from './search.port.ts';

/** Sites whose published content is searchable: online, or online while announcing their closing. */
export const SEARCHABLE_SITE_STATUSES = new Set(['ONLINE', 'CLOSING']);

const BODY_LIMIT = 30_000;

export interface IndexableItem {
  id: string;
  siteId: string;
  columnId: string;
  kind: string;
  locale: string;
  slug: string;
  indexNumber: string | null;
  publishedAt: Date;
  lastPublishedAt: Date;
  publishedNumber: number;
  content: ItemContent;
  bodyText: string;
  /** Columns the item is placed in (home included). */
  placementColumnIds: string[];
}

/** Column ids of every placement and of their ancestors, from the site's column paths. */
export function columnIdsWithAncestors(placementIds: string[], columns: { id: string; path: string }[]): string[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const out = new Set<string>();
  for (const id of placementIds) {
    const col = byId.get(id);
    if (!col) continue;
    for (const c of columns) if (isSameOrBelow(col.path, c.path)) out.add(c.id);
  }
  return [...out];
}

export function searchDocument(
  item: IndexableItem,
  dir: SiteDirectory,
  columns: { id: string; path: string }[],
): SearchDocument {
  const site = dir.byId(item.siteId);
  const c = item.content;
  return {
    id: item.id,
    siteId: item.siteId,
    siteCode: site?.code ?? '',
    siteName: site?.name ?? '',
    siteAncestors: [item.siteId, ...dir.ancestors(item.siteId)],
    columnId: item.columnId,
    columnIds: columnIdsWithAncestors(item.placementColumnIds, columns),
    kind: item.kind,
    locale: item.locale,
    slug: item.slug,
    title: c.title,
    docNumber: c.docNumber,
    indexNumber: item.indexNumber,
    summary: c.summary,
    bodyText: item.bodyText.slice(0, BODY_LIMIT),
    keywords: c.keywords ?? [],
    issuingBody: c.issuingBody,
    validity: c.validity,
    year: Number(new Date(item.publishedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 4)),
    publishedAt: Math.floor(item.publishedAt.getTime() / 1000),
    lastPublishedAt: Math.floor(item.lastPublishedAt.getTime() / 1000),
    revision: item.publishedNumber,
  };
}

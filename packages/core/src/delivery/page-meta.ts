import type { ItemView } from '../items/item-view.ts';
import type { Site } from '../sites/site.entity.ts';
import type { PageColumn, PageMeta } from './route.types.ts';
import { absoluteUrl } from './url.policy.ts';

/**
 * The publication date a page shows: the platform's own publication time (set when the item was signed off,
 * never chosen by a client), or the legacy original date of an imported item once imports record one.
 * ID-05: 信息发布时间必须显示, 不可手工改早.
 */
export function displayedPublicationDate(item: Pick<ItemView, 'publishedAt'> & { legacyPublishedAt?: Date | null }) {
  return item.legacyPublishedAt ?? item.publishedAt;
}

/** `YYYY-MM-DD HH:MM` in China Standard Time, as the national page metadata writes PubDate. */
export function formatPubDate(at: Date | null): string | null {
  if (!at) return null;
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const plain = (html: string | null | undefined, max = 200): string | null => {
  if (!html) return null;
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? text.slice(0, max) : null;
};

export interface MetaInput {
  site: Site;
  primaryHost: string;
  path: string;
  /** The column of the page (the item's home column on an item page). */
  column?: PageColumn | null;
  /** The top-level channel the column belongs to: its name is the ColumnType. */
  channel?: PageColumn | null;
  item?: ItemView | null;
}

/**
 * The national page metadata for one page (ID-04: 站点类 on every page, 栏目类 on column pages, 文章类 on item
 * pages) plus the canonical URL on the primary domain and Open Graph tags for sharing (2015 §5).
 */
export function pageMeta({ site, primaryHost, path, column, channel, item }: MetaInput): PageMeta {
  const url = absoluteUrl(primaryHost, path);
  const c = item?.content;
  const description = c ? (c.summary ?? plain(c.body)) : (column?.description ?? null);
  const firstImage = c?.images?.[0]?.url ?? null;
  return {
    siteName: site.name,
    siteDomain: primaryHost,
    siteIdCode: site.siteIdCode,
    columnName: column?.name ?? null,
    columnDescription: column?.description ?? null,
    columnKeywords: column?.keywords ?? null,
    columnType: channel?.name ?? column?.name ?? null,
    articleTitle: c?.title ?? null,
    pubDate: item ? formatPubDate(displayedPublicationDate(item)) : null,
    contentSource: c?.source ?? null,
    keywords: c?.keywords?.length ? c.keywords.join(',') : (column?.keywords ?? null),
    author: c?.author ?? null,
    description,
    url,
    canonicalUrl: url,
    ogTitle: c?.title ?? (column ? `${column.name} - ${site.name}` : site.name),
    ogDescription: description,
    ogImage: firstImage ? new URL(firstImage, url).toString() : null,
    ogType: item ? 'article' : 'website',
  };
}

/** The page the 党政机关网站标识 links to: the site's registration at the national registry (ID-03). */
export function conacMarkUrl(id: string): string {
  return `https://bszs.conac.cn/sitename?method=show&id=${encodeURIComponent(id)}`;
}

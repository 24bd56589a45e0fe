import type { ItemView } from '../items/item-view.ts';
import type { ItemPage } from '../items/item.queries.ts';
import type { Site } from '../sites/site.entity.ts';

/** A column as a page shows it: name in the page's locale, its public URL, its visible open children. */
export interface PageColumn {
  id: string;
  parentId: string | null;
  code: string;
  path: string;
  name: string;
  type: string;
  linkUrl: string | null;
  description: string | null;
  keywords: string | null;
  url: string;
  children: PageColumn[];
}

/** The national page metadata (政府网站网页设计规范: 站点类, 栏目类, 文章类 meta tags). */
export interface PageMeta {
  siteName: string;
  siteDomain: string;
  siteIdCode: string;
  columnName: string | null;
  columnDescription: string | null;
  columnKeywords: string | null;
  columnType: string | null;
  articleTitle: string | null;
  pubDate: string | null;
  contentSource: string | null;
  keywords: string | null;
  author: string | null;
  description: string | null;
  url: string;
  /** The canonical URL on the primary domain (what search engines index). */
  canonicalUrl: string;
  ogTitle: string;
  ogDescription: string | null;
  ogImage: string | null;
  ogType: string;
}

/** What every page of a known site carries: the site, the locale, its navigation, its metadata. */
export interface PageFrame {
  site: Site;
  host: string;
  primaryHost: string;
  locale: string;
  navigation: PageColumn[];
  breadcrumbs: PageColumn[];
  meta: PageMeta;
  /** Set while the site is CLOSING: the notice shown on every page for the 30 days before it goes (ARC-02). */
  closingSince: Date | null;
}

export type RouteResult =
  | ({ kind: 'HOME'; status: 200; items: ItemPage } & PageFrame)
  | ({ kind: 'COLUMN'; status: 200; column: PageColumn; items: ItemPage } & PageFrame)
  | ({ kind: 'ITEM'; status: 200; column: PageColumn; item: ItemView; preview: boolean } & PageFrame)
  | { kind: 'REDIRECT'; status: 301 | 302; location: string; reason: string }
  | ({ kind: 'GONE'; status: 410; reason: string } & Partial<PageFrame>)
  | ({ kind: 'CLOSED_SITE'; status: 410; closedAt: Date } & PageFrame)
  | ({ kind: 'NOT_FOUND'; status: 404 } & Partial<PageFrame>);

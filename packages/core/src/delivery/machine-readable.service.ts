import type { ItemView } from '../items/item-view.ts';
import type { Ctx } from '../shared/context.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import type { Site } from '../sites/site.entity.ts';
import { loadSiteAndColumns, publicItemPage } from './route-data.ts';
import { buildTree, siteEntryForHost, type Tree } from './route.service.ts';
import type { PageColumn } from './route.types.ts';
import { columnUrlPath, itemUrlPath } from './url.policy.ts';

/** sitemaps.org: at most 50,000 URLs per sitemap file. */
export const SITEMAP_MAX_URLS = 50_000;
/** Items per feed: the newest ones. */
export const FEED_SIZE = 50;

interface SiteTree {
  site: Site;
  tree: Tree;
  primaryHost: string;
}

/** The public site of a host with its column tree (one statement); null for unknown, preparing or old hosts. */
async function siteTreeFor(ctx: Ctx, host: string): Promise<SiteTree | null> {
  const bare = host.toLowerCase().replace(/:\d+$/, '');
  const entry = await siteEntryForHost(ctx, bare);
  if (!entry || entry.legacyHosts?.includes(bare)) return null;
  const loaded = await forkForPublicRead(ctx, [entry.id]).transactional((tx) => loadSiteAndColumns(tx, entry.id));
  if (!loaded || loaded.site.status === 'ARCHIVED') return null;
  const tree = buildTree(loaded.site, loaded.columns, loaded.site.locales[0] ?? 'zh-CN');
  return { site: loaded.site, tree, primaryHost: entry.hosts[0] ?? bare };
}

export interface SitemapIndex {
  primaryHost: string;
  /** Paths of the sitemap files, each with the newest change among its URLs. */
  sitemaps: { path: string; lastmod: Date | null }[];
}

export interface SitemapFile {
  primaryHost: string;
  urls: { path: string; lastmod: Date | null }[];
}

/** The site's sitemap index: one file for the home and column pages, then per column its items (2015 §5). */
/**
 * Whether a host names a site that is closed or taken down (ARCHIVED, 2017 §2): its sitemaps, robots.txt and
 * feeds answer 410 Gone, like `route` does for its pages, rather than 404 (search engines drop the URLs).
 */
export async function isSiteGoneForHost(ctx: Ctx, host: string): Promise<boolean> {
  return (await ctx.directory.fresh()).publicByHost(host)?.status === 'ARCHIVED';
}

export async function sitemapIndex(ctx: Ctx, host: string): Promise<SitemapIndex | null> {
  const st = await siteTreeFor(ctx, host);
  if (!st) return null;
  const shown = [...st.tree.shown];
  const rows = shown.length
    ? await forkForPublicRead(ctx, [st.site.id]).execute<{ column_id: string; n: number; lastmod: Date | null }[]>(
        `select p.column_id, count(*)::int as n, max(coalesce(i.last_published_at, i.published_at)) as lastmod
           from item_placement p join item i on i.id = p.item_id
          where p.site_id = ? and p.live and p.home and p.column_id in (?) group by p.column_id`,
        [st.site.id, shown],
      )
    : [];
  const newest = rows.reduce<Date | null>(
    (m, r) => (r.lastmod && (!m || r.lastmod > m) ? new Date(r.lastmod) : m),
    null,
  );
  const sitemaps = [{ path: '/sitemaps/pages.xml', lastmod: newest }];
  for (const r of rows.sort((a, b) =>
    st.tree.byId.get(a.column_id)!.path.localeCompare(st.tree.byId.get(b.column_id)!.path),
  )) {
    const files = Math.ceil(r.n / SITEMAP_MAX_URLS);
    for (let page = 1; page <= files; page++)
      sitemaps.push({ path: `/sitemaps/${r.column_id}-${page}.xml`, lastmod: r.lastmod ? new Date(r.lastmod) : null });
  }
  return { primaryHost: st.primaryHost, sitemaps };
}

/** The home page and every shown column page (link columns leave the site, so they are left out). */
export async function pagesSitemap(ctx: Ctx, host: string): Promise<SitemapFile | null> {
  const st = await siteTreeFor(ctx, host);
  if (!st) return null;
  const urls = [{ path: '/', lastmod: null as Date | null }];
  for (const r of st.tree.rows)
    if (st.tree.shown.has(r.id) && r.type !== 'LINK') urls.push({ path: columnUrlPath(r.path), lastmod: null });
  return { primaryHost: st.primaryHost, urls };
}

/** One page (1-based) of a column's live items, by their canonical URL under their home column. */
export async function columnSitemap(
  ctx: Ctx,
  host: string,
  columnId: string,
  page: number,
): Promise<SitemapFile | null> {
  const st = await siteTreeFor(ctx, host);
  const col = st?.tree.byId.get(columnId);
  if (!st || !col || !st.tree.shown.has(col.id) || page < 1) return null;
  const rows = await forkForPublicRead(ctx, [st.site.id]).execute<
    { slug: string; locale: string; lastmod: Date | null }[]
  >(
    `select i.slug, i.locale, coalesce(i.last_published_at, i.published_at) as lastmod
       from item_placement p join item i on i.id = p.item_id
      where p.column_id = ? and p.live and p.home
      order by p.published_at desc, p.item_id desc offset ? limit ?`,
    [col.id, (page - 1) * SITEMAP_MAX_URLS, SITEMAP_MAX_URLS],
  );
  if (rows.length === 0 && page > 1) return null;
  return {
    primaryHost: st.primaryHost,
    urls: rows.map((r) => ({
      path: itemUrlPath(col.path, r.slug, r.locale, st.tree.locales),
      lastmod: r.lastmod ? new Date(r.lastmod) : null,
    })),
  };
}

export interface Feed {
  site: Site;
  primaryHost: string;
  column: PageColumn | null;
  /** Newest first, without bodies (feeds carry the summary). */
  items: { view: ItemView; path: string }[];
}

/** The newest live items of a site or of one of its shown columns, for RSS 2.0 and Atom feeds (UX-04). */
export async function feedOf(ctx: Ctx, host: string, columnPath: string | null): Promise<Feed | null> {
  const st = await siteTreeFor(ctx, host);
  if (!st) return null;
  const col = columnPath ? st.tree.byPath.get(columnPath) : null;
  if (columnPath && (!col || !st.tree.shown.has(col.id))) return null;
  const page = await publicItemPage(ctx, {
    siteId: st.site.id,
    columnPath: col?.path ?? null,
    descendants: false,
    first: FEED_SIZE,
  });
  return {
    site: st.site,
    primaryHost: st.primaryHost,
    column: col ? st.tree.pages.get(col.id)! : null,
    items: page.nodes.map((view) => {
      const home = st.tree.byId.get(view.columnId);
      return { view, path: itemUrlPath(home?.path ?? col?.path ?? '', view.slug, view.locale, st.tree.locales) };
    }),
  };
}

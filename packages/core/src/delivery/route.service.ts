import { z } from 'zod';
import type { ItemView } from '../items/item-view.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import type { DirectoryEntry } from '../sites/site-directory.ts';
import type { Site } from '../sites/site.entity.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { pageMeta } from './page-meta.ts';
import { verifyPreviewToken } from './preview.ts';
import {
  type ColumnRow,
  type ItemRow,
  loadItemAt,
  loadPublicRoute,
  loadRedirects,
  loadSiteAndColumns,
  previewViewOfRow,
  publicItemPage,
  publicViewOfRow,
  type RedirectRow,
} from './route-data.ts';
import type { PageColumn, PageFrame, RouteResult } from './route.types.ts';
import {
  absoluteUrl,
  cleanPath,
  columnUrlPath,
  homeUrlPath,
  itemUrlPath,
  parsePath,
  redirectCandidates,
} from './url.policy.ts';

const routeInput = z.object({
  host: z.string().trim().toLowerCase().min(1).max(253),
  path: z.string().max(2000),
  first: z.number().int().nullish(),
  after: z.string().max(200).nullish(),
  /** Column listings include the items of descendant columns. */
  descendants: z.boolean().nullish(),
  /** A preview token (createPreviewToken): the item page shows that item's draft. */
  preview: z.string().max(2000).nullish(),
});
export type RouteInput = z.input<typeof routeInput>;

/** The public site a host name serves, or null (unknown host, or a site still being prepared). */
export async function siteEntryForHost(ctx: Ctx, host: string): Promise<DirectoryEntry | null> {
  const entry = (await ctx.directory.fresh()).byHost(host);
  return entry && entry.status !== 'PREPARING' ? entry : null;
}

export interface Tree {
  site: Site;
  locales: string[];
  locale: string;
  rows: ColumnRow[];
  byPath: Map<string, ColumnRow>;
  byId: Map<string, ColumnRow>;
  pages: Map<string, PageColumn>;
  /** Visible open columns whose ancestors are all visible and open: what the public sees. */
  shown: Set<string>;
}

export function buildTree(site: Site, rows: ColumnRow[], locale: string): Tree {
  const locales = site.locales.length ? site.locales : ['zh-CN'];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const pages = new Map<string, PageColumn>();
  const shown = new Set<string>();
  // Rows come parents before children only by sort order, so resolve visibility by walking up.
  const isShown = (r: ColumnRow): boolean => {
    if (!r.visible || r.status !== 'OPEN') return false;
    const parent = r.parent_id ? byId.get(r.parent_id) : null;
    return parent ? isShown(parent) : true;
  };
  for (const r of rows) {
    if (isShown(r)) shown.add(r.id);
    pages.set(r.id, {
      id: r.id,
      parentId: r.parent_id,
      code: r.code,
      path: r.path,
      // 2015 §8: foreign-language versions; only declared locales reach here (parsePath).
      name: (locale !== locales[0] && r.names?.[locale]) || r.name,
      type: r.type,
      linkUrl: r.link_url,
      description: r.description,
      keywords: r.keywords,
      url: r.type === 'LINK' && r.link_url ? r.link_url : columnUrlPath(r.path, locale, locales),
      children: [],
    });
  }
  for (const r of rows) {
    if (shown.has(r.id) && r.parent_id) pages.get(r.parent_id)?.children.push(pages.get(r.id)!);
  }
  return { site, locales, locale, rows, byPath: new Map(rows.map((r) => [r.path, r])), byId, pages, shown };
}

function breadcrumbs(tree: Tree, columnId: string): PageColumn[] {
  const out: PageColumn[] = [];
  let cur = tree.byId.get(columnId);
  while (cur) {
    out.unshift(tree.pages.get(cur.id)!);
    cur = cur.parent_id ? tree.byId.get(cur.parent_id) : undefined;
  }
  return out;
}

function frame(
  tree: Tree,
  entry: DirectoryEntry,
  host: string,
  path: string,
  columnId?: string,
  item?: ItemView | null,
): PageFrame {
  const primaryHost = entry.hosts[0] ?? host;
  const crumbs = columnId ? breadcrumbs(tree, columnId) : [];
  const column = crumbs.at(-1) ?? null;
  return {
    site: tree.site,
    host,
    primaryHost,
    locale: tree.locale,
    navigation: tree.rows.filter((r) => !r.parent_id && tree.shown.has(r.id)).map((r) => tree.pages.get(r.id)!),
    breadcrumbs: crumbs,
    meta: pageMeta({ site: tree.site, primaryHost, path, column, channel: crumbs[0] ?? null, item }),
    closingSince: tree.site.status === 'CLOSING' ? tree.site.statusChangedAt : null,
  };
}

const redirect = (location: string, reason: string, status: 301 | 302 = 301): RouteResult => ({
  kind: 'REDIRECT',
  status,
  location,
  reason,
});

/**
 * `route(host, path)`: everything a theme needs to render one page, in one answer and a constant number of SQL
 * statements (an item page: 1, zq_public_route with the site, its columns and the item; a column or home page: 2,
 * with the page of items; an unknown address: one more for the redirect map; a preview: in one transaction under
 * row-level security, as it may show a draft): the home page, a
 * column page with its page of items, an item page, a redirect (301: trailing-slash rules, old host names,
 * moved, renamed and merged columns, changed slugs, legacy URLs), gone (410: withdrawn items, closed columns,
 * removed content), a closed site's notice, or not found. Only ever public content.
 */
export async function resolveRoute(ctx: Ctx, raw: RouteInput): Promise<RouteResult> {
  const input = parseInput(routeInput, raw);
  const host = input.host.replace(/:\d+$/, '');
  const entry = await siteEntryForHost(ctx, host);
  if (!entry) return { kind: 'NOT_FOUND', status: 404 };
  const primary = entry.hosts[0] ?? host;
  // Old host names answer 301 to the same path on the primary domain (2017 §2: consolidated sites).
  if (entry.legacyHosts?.includes(host)) return redirect(absoluteUrl(primary, input.path), 'OLD_HOST');
  const path = cleanPath(input.path);
  const preview = input.preview ? verifyPreviewToken(ctx, input.preview) : null;
  const request: RouteRequest = { ctx, input, host, entry, path };
  if (preview) {
    // A preview may show a draft: read under the site's row-level security, in one transaction.
    const head = preview.siteId === entry.id;
    return forkForPublicRead(ctx, [entry.id]).transactional(async (tx) => {
      const loaded = await loadSiteAndColumns(tx, entry.id);
      if (!loaded) return { kind: 'NOT_FOUND', status: 404 } as RouteResult;
      return routeOn(request, loaded, preview, {
        itemAt: (col, slug, locale) => loadItemAt(tx, entry.id, col.id, slug, locale, head),
        redirects: (candidates) => loadRedirects(tx, entry.id, candidates),
      });
    });
  }
  // The public page in one statement (issue 10): the address is read as one in the site's default locale (most
  // pages are), so the item comes with the site and its columns; a page in another locale costs one more.
  const guess = path === null ? null : parsePath(path, []);
  const key = guess?.kind === 'item' ? { columnPath: guess.columnPath, slug: guess.slug } : null;
  const loaded = await loadPublicRoute(ctx, entry.id, key?.columnPath ?? null, key?.slug ?? null);
  if (!loaded) return { kind: 'NOT_FOUND', status: 404 };
  return routeOn(request, loaded, null, {
    async itemAt(col, slug, locale) {
      const rows =
        key && key.columnPath === col.path && key.slug === slug
          ? loaded.items
          : ((await loadPublicRoute(ctx, entry.id, col.path, slug))?.items ?? []);
      return rows.find((r) => r.locale === locale) ?? null;
    },
    // Only for an address the tree does not know: the site's redirect map, under its row-level security.
    redirects: (candidates) =>
      forkForPublicRead(ctx, [entry.id]).transactional((tx) => loadRedirects(tx, entry.id, candidates)),
  });
}

/** How the route reads what it needs beyond the site and its columns. */
interface RouteReads {
  itemAt(col: ColumnRow, slug: string, locale: string): Promise<ItemRow | null>;
  redirects(candidates: string[]): Promise<RedirectRow[]>;
}

interface RouteRequest {
  ctx: Ctx;
  input: z.output<typeof routeInput>;
  host: string;
  entry: DirectoryEntry;
  path: string | null;
}

async function routeOn(
  { ctx, input, host, entry, path }: RouteRequest,
  loaded: { site: Site; columns: ColumnRow[]; memo?: Map<string, unknown> },
  preview: { siteId: string; itemId: string } | null,
  reads: RouteReads,
): Promise<RouteResult> {
  const { site } = loaded;
  const parsed = path === null ? null : parsePath(path, site.locales);
  const locale = (parsed && 'locale' in parsed && parsed.locale) || site.locales[0] || 'zh-CN';
  // The tree of a site's columns is the same for every page of that version of them (kept in the port's memo).
  const treeKey = `tree ${locale}`;
  const tree = (loaded.memo?.get(treeKey) as Tree | undefined) ?? buildTree(site, loaded.columns, locale);
  loaded.memo?.set(treeKey, tree);
  const at = (p: string, columnId?: string, item?: ItemView) => frame(tree, entry, host, p, columnId, item);
  if (site.status === 'ARCHIVED') {
    // ARC-02: a closed site keeps its notice; its content is archived, not served.
    return { kind: 'CLOSED_SITE', status: 410, closedAt: site.statusChangedAt, ...at(homeUrlPath()) } as RouteResult;
  }
  // A removed address (410) is still a page of the site: its name, navigation and footer (the theme's 410 page).
  const redirectMap = () => (path === null ? null : followRedirectMap(reads, tree, input.path, path, () => at(path)));
  const viaRedirectMap = async (): Promise<RouteResult> => {
    const found = await redirectMap();
    if (found) return found;
    return { kind: 'NOT_FOUND', status: 404, ...at(path ?? '/') } as RouteResult;
  };
  if (!parsed) return viaRedirectMap();
  if (parsed.kind === 'canonicalise') return redirect(parsed.location, 'CANONICAL_PATH');
  if (parsed.kind === 'home') {
    // A legacy dynamic address on the root (WordPress `/?p=12`, `/?page_id=2`, `/?cat=3`) is the old site's page,
    // not the home page: the redirect map first, when the address has a query string (issue 11).
    if (input.path.includes('?')) {
      const found = await redirectMap();
      if (found) return found;
    }
    const items = await publicItemPage(ctx, {
      siteId: entry.id,
      columnPath: null,
      descendants: false,
      first: input.first,
      after: input.after,
    });
    return { kind: 'HOME', status: 200, items, ...at(homeUrlPath(locale, tree.locales)) } as RouteResult;
  }
  const col = tree.byPath.get(parsed.columnPath);
  if (!col) return viaRedirectMap();
  if (col.status === 'MERGED' && col.merged_into_id && tree.byId.has(col.merged_into_id)) {
    // 2015 §14: a merged column's address (and its items', by slug) leads to the column it went into.
    const target = tree.byId.get(col.merged_into_id)!;
    const location =
      parsed.kind === 'item'
        ? itemUrlPath(target.path, parsed.slug, parsed.locale, tree.locales)
        : columnUrlPath(target.path, parsed.locale, tree.locales);
    return redirect(location, 'COLUMN_MERGED');
  }
  if (col.status === 'CLOSED')
    return { kind: 'GONE', status: 410, reason: 'COLUMN_CLOSED', ...at(path!) } as RouteResult;
  if (!tree.shown.has(col.id)) return viaRedirectMap();
  if (parsed.kind === 'column') {
    if (col.type === 'LINK' && col.link_url) return redirect(col.link_url, 'LINK_COLUMN', 302);
    const items = await publicItemPage(ctx, {
      siteId: entry.id,
      columnPath: col.path,
      descendants: input.descendants ?? false,
      first: input.first,
      after: input.after,
    });
    const column = tree.pages.get(col.id)!;
    return { kind: 'COLUMN', status: 200, column, items, ...at(column.url, col.id) } as RouteResult;
  }
  const row = await reads.itemAt(col, parsed.slug, locale);
  if (row && preview?.itemId === row.id && row.head_content) {
    const item = previewViewOfRow(row);
    const url = itemUrlPath(col.path, row.slug, row.locale, tree.locales);
    const column = tree.pages.get(col.id)!;
    return { kind: 'ITEM', status: 200, column, item, preview: true, ...at(url, col.id, item) } as RouteResult;
  }
  if (row?.withdrawn_at)
    return { kind: 'GONE', status: 410, reason: 'ITEM_WITHDRAWN', ...at(path!, col.id) } as RouteResult;
  if (!row?.published_revision_id || !row.content) return viaRedirectMap(); // drafts are never revealed
  const item = publicViewOfRow(row);
  const column = tree.pages.get(col.id)!;
  const url = itemUrlPath(col.path, row.slug, row.locale, tree.locales);
  return { kind: 'ITEM', status: 200, column, item, preview: false, ...at(url, col.id, item) } as RouteResult;
}

/** Looks the path (and every column path above it) up in the site's redirect map: one statement. */
async function followRedirectMap(
  reads: RouteReads,
  tree: Tree,
  rawPath: string,
  path: string,
  page: () => ReturnType<typeof frame>,
): Promise<RouteResult | null> {
  // A locale prefix is kept: /en/old/a.html follows the row for /old and lands on /en/new/a.html.
  const prefix = tree.locales.slice(1).find((l) => path.startsWith(`/${l}/`));
  const bare = prefix ? path.slice(prefix.length + 1) : path;
  const candidates = [...new Set([rawPath, ...redirectCandidates(path), ...(prefix ? redirectCandidates(bare) : [])])];
  const rows = await reads.redirects(candidates);
  const row = rows[0];
  if (!row) return null;
  if (row.gone) return { kind: 'GONE', status: 410, reason: row.reason, ...page() } as RouteResult;
  if (row.target_url) return redirect(row.target_url, row.reason);
  const loc = prefix && bare.startsWith(row.from_path) ? prefix : null;
  const rest = (loc ? bare : path).slice(row.from_path.length);
  if (row.target_column_id) {
    const target = tree.byId.get(row.target_column_id);
    if (!target) return null;
    const tail = rest === '' || rest === '/' ? '/' : rest;
    return redirect(`${loc ? `/${loc}` : ''}${target.path}${tail}`, row.reason);
  }
  const home = row.item_column_id ? tree.byId.get(row.item_column_id) : undefined;
  if (!home || !row.item_slug) return null;
  return redirect(itemUrlPath(home.path, row.item_slug, row.item_locale, tree.locales), row.reason);
}

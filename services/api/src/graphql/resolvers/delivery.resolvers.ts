import {
  createPreviewToken,
  type ItemPage,
  listRedirects,
  type PageMeta,
  type RecordRedirectsInput,
  recordRedirects,
  resolveRoute,
  type RouteInput,
  type RouteResult,
  type UpdateSiteDeliveryInput,
  updateSiteDelivery,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

const routeTypes: Record<RouteResult['kind'], string> = {
  HOME: 'HomePage',
  COLUMN: 'ColumnPage',
  ITEM: 'ItemPage',
  CLOSED_SITE: 'ClosedSitePage',
  REDIRECT: 'RedirectPage',
  GONE: 'GonePage',
  NOT_FOUND: 'NotFoundPage',
};

const items = (page: { items: ItemPage }) => connection(page.items);

export const deliveryResolvers = {
  Query: {
    route: (_: unknown, args: RouteInput, ctx: GqlContext) => {
      // A preview shows a draft: it must never reach a shared cache (nor, being a draft, search).
      if (args.preview) ctx.reply.header('cache-control', 'private, no-store');
      return resolveRoute(ctx.zq, args);
    },
    redirects: async (_: unknown, a: { site: string; first?: number; after?: string }, { zq }: GqlContext) =>
      connection(await listRedirects(zq, a.site, a)),
  },
  Mutation: {
    previewToken: (_: unknown, a: { itemId: string }, { zq }: GqlContext) => createPreviewToken(zq, a.itemId),
    recordRedirects: (_: unknown, a: RecordRedirectsInput, { zq }: GqlContext) => recordRedirects(zq, a),
    updateSiteDelivery: (_: unknown, a: { input: UpdateSiteDeliveryInput }, { zq }: GqlContext) =>
      updateSiteDelivery(zq, a.input),
  },
  Route: { resolveType: (r: RouteResult) => routeTypes[r.kind] },
  SitePage: { resolveType: (r: RouteResult) => routeTypes[r.kind] },
  HomePage: { items },
  ColumnPage: { items },
  PageMeta: {
    SiteName: (m: PageMeta) => m.siteName,
    SiteDomain: (m: PageMeta) => m.siteDomain,
    SiteIDCode: (m: PageMeta) => m.siteIdCode,
    ColumnName: (m: PageMeta) => m.columnName,
    ColumnDescription: (m: PageMeta) => m.columnDescription,
    ColumnKeywords: (m: PageMeta) => m.columnKeywords,
    ColumnType: (m: PageMeta) => m.columnType,
    ArticleTitle: (m: PageMeta) => m.articleTitle,
    PubDate: (m: PageMeta) => m.pubDate,
    ContentSource: (m: PageMeta) => m.contentSource,
    Keywords: (m: PageMeta) => m.keywords,
    Author: (m: PageMeta) => m.author,
    Description: (m: PageMeta) => m.description,
    Url: (m: PageMeta) => m.url,
  },
};

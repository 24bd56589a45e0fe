import {
  AppError,
  findItem,
  itemsByIds,
  reindexSearch,
  type SearchHitRaw,
  type SearchInput,
  searchCursor,
  searchDrafts,
  searchKey,
  searchPublished,
} from '@zhanqun/core';
import type { GqlContext } from '../context.ts';

const facetList = (counts: Record<string, number> | undefined, label?: (v: string) => string | null) =>
  Object.entries(counts ?? {})
    .map(([value, count]) => ({ value, count, label: label ? label(value) : null }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));

function siteOf(args: { site?: string | null }, ctx: GqlContext): string {
  const site = args.site ?? ctx.hostSite;
  if (!site)
    throw new AppError('INVALID_INPUT', 'Name the site, or call through one of its host names', { field: 'site' });
  return site;
}

export const searchResolvers = {
  Query: {
    async search(_: unknown, a: Omit<SearchInput, 'site'> & { site?: string }, ctx: GqlContext) {
      const { zq } = ctx;
      const res = await searchPublished(zq, { ...a, site: siteOf(a, ctx) });
      return {
        edges: res.hits.map((hit, i) => ({ cursor: searchCursor(res.offset + i + 1), node: hit })),
        pageInfo: {
          hasNextPage: res.offset + res.hits.length < res.estimatedTotalHits,
          hasPreviousPage: res.offset > 0,
          startCursor: res.hits.length ? searchCursor(res.offset + 1) : null,
          endCursor: res.hits.length ? searchCursor(res.offset + res.hits.length) : null,
        },
        estimatedTotalHits: res.estimatedTotalHits,
        processingTimeMs: res.processingTimeMs,
        facets: {
          kind: facetList(res.facets.kind),
          year: facetList(res.facets.year),
          column: facetList(res.facets.columnId, (id) => res.columnLabels.get(id) ?? null),
          site: facetList(res.facets.siteId, (id) => zq.directory.byId(id)?.name ?? null),
        },
      };
    },
    searchKey: (_: unknown, a: { site?: string; scope?: 'SITE' | 'CLUSTER' }, ctx: GqlContext) =>
      searchKey(ctx.zq, { site: siteOf(a, ctx), scope: a.scope }),
    async searchDrafts(_: unknown, a: { site: string; query: string; first?: number }, { zq }: GqlContext) {
      const ids = await searchDrafts(zq, a);
      const views = new Map((await itemsByIds(zq, ids)).map((v) => [v.id, v]));
      return ids.map((id) => views.get(id)).filter((v) => v !== undefined);
    },
  },
  Mutation: {
    reindexSearch: (_: unknown, __: unknown, { zq }: GqlContext) => reindexSearch(zq),
  },
  SearchHit: {
    id: (h: SearchHitRaw) => h.doc.id,
    item: (h: SearchHitRaw, _: unknown, { zq }: GqlContext) => findItem(zq, h.doc.id),
    site: (h: SearchHitRaw) => ({ code: h.doc.siteCode, name: h.doc.siteName }),
    kind: (h: SearchHitRaw) => h.doc.kind,
    title: (h: SearchHitRaw) => h.doc.title,
    docNumber: (h: SearchHitRaw) => h.doc.docNumber,
    indexNumber: (h: SearchHitRaw) => h.doc.indexNumber,
    publishedAt: (h: SearchHitRaw) => new Date(h.doc.publishedAt * 1000),
  },
};

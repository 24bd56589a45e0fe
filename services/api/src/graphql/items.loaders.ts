import {
  bodiesOf,
  columnsByIds,
  type ItemView,
  itemsByIds,
  linksOf,
  placementsOf,
  signOffsOf,
  sitesByIds,
  translationsOf,
} from '@zhanqun/core';
import { type GqlContext, groupFor } from './context.ts';

type Q = { obj: ItemView; params: Record<string, unknown> }[];
const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));

/** One side of 政策解读 ↔ 规范性文件 links for every item asked about: two queries for the whole list. */
async function linkedItems(
  queries: Q,
  { zq }: GqlContext,
  self: 'interpretationId' | 'policyId',
  other: 'interpretationId' | 'policyId',
) {
  const links = await linksOf(
    zq,
    queries.map((q) => q.obj.id),
  );
  const items = byId(
    await itemsByIds(
      zq,
      links.map((l) => l[other]),
    ),
  );
  return queries.map((q) =>
    links
      .filter((l) => l[self] === q.obj.id)
      .map((l) => items.get(l[other]))
      .filter((i) => i !== undefined),
  );
}

/** Item field loaders: each answers a whole list of items with one or two queries. */
export const itemLoaders = {
  Item: {
    async body(queries: Q, { zq }: GqlContext) {
      const missing = queries.filter((q) => q.obj.content.body === undefined).map((q) => q.obj);
      const loaded = missing.length ? await bodiesOf(zq, missing) : new Map<string, string>();
      return queries.map((q) => q.obj.content.body ?? loaded.get(q.obj.revisionId) ?? '');
    },
    async site(queries: Q, { zq }: GqlContext) {
      const sites = byId(
        await sitesByIds(
          zq,
          queries.map((q) => q.obj.siteId),
        ),
      );
      return queries.map((q) => sites.get(q.obj.siteId) ?? null);
    },
    async column(queries: Q, { zq }: GqlContext) {
      const cols = byId(
        await columnsByIds(
          zq,
          queries.map((q) => q.obj.columnId),
        ),
      );
      return queries.map((q) => cols.get(q.obj.columnId) ?? null);
    },
    async placements(queries: Q, { zq }: GqlContext) {
      const rows = await placementsOf(
        zq,
        queries.map((q) => q.obj),
      );
      const cols = byId(
        await columnsByIds(
          zq,
          rows.map((p) => p.columnId),
        ),
      );
      return groupFor(
        queries,
        rows,
        (p) => p.itemId,
        (q) => q.obj.id,
      ).map((list) => list.map((p) => cols.get(p.columnId)).filter((c) => c !== undefined));
    },
    async signOffs(queries: Q, { zq }: GqlContext) {
      const rows = await signOffsOf(
        zq,
        queries.map((q) => q.obj),
      );
      return groupFor(
        queries,
        rows,
        (s) => s.itemId,
        (q) => q.obj.id,
      );
    },
    interprets: (queries: Q, ctx: GqlContext) => linkedItems(queries, ctx, 'interpretationId', 'policyId'),
    interpretations: (queries: Q, ctx: GqlContext) => linkedItems(queries, ctx, 'policyId', 'interpretationId'),
    async supersededBy(queries: Q, { zq }: GqlContext) {
      const ids = queries.map((q) => q.obj.content.supersededById).filter((id): id is string => !!id);
      const items = byId(await itemsByIds(zq, ids));
      return queries.map((q) =>
        q.obj.content.supersededById ? (items.get(q.obj.content.supersededById) ?? null) : null,
      );
    },
    async translationOf(queries: Q, { zq }: GqlContext) {
      const items = byId(
        await itemsByIds(
          zq,
          queries.map((q) => q.obj.translationOfId).filter((id): id is string => !!id),
        ),
      );
      return queries.map((q) => (q.obj.translationOfId ? (items.get(q.obj.translationOfId) ?? null) : null));
    },
    async translations(queries: Q, { zq }: GqlContext) {
      const all = await translationsOf(
        zq,
        queries.map((q) => q.obj.translationGroupId),
      );
      return queries.map((q) =>
        all.filter((i) => i.translationGroupId === q.obj.translationGroupId && i.id !== q.obj.id),
      );
    },
    async translationStale(queries: Q, { zq }: GqlContext) {
      // Stale: the source has a published revision newer than the one this translation was made from (2015 §8).
      const sources = byId(
        await itemsByIds(
          zq,
          queries.map((q) => q.obj.translationOfId).filter((id): id is string => !!id),
        ),
      );
      return queries.map((q) => {
        const src = q.obj.translationOfId ? sources.get(q.obj.translationOfId) : undefined;
        return !!src && (src.publishedNumber ?? 0) > (q.obj.translationSourceNumber ?? 0);
      });
    },
  },
  Column: {
    async mergedInto(queries: { obj: { mergedIntoId?: string | null } }[], { zq }: GqlContext) {
      const cols = byId(
        await columnsByIds(
          zq,
          queries.map((q) => q.obj.mergedIntoId).filter((id): id is string => !!id),
        ),
      );
      return queries.map((q) => (q.obj.mergedIntoId ? (cols.get(q.obj.mergedIntoId) ?? null) : null));
    },
  },
};

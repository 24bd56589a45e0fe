import {
  bodiesOf,
  columnsByIds,
  homeColumnsOf,
  type ItemView,
  itemsByIds,
  linkedItemsOf,
  placementsOf,
  signOffsOf,
  sitesByIds,
  translationsOf,
} from '@zhanqun/core';
import { type GqlContext, groupFor } from './context.ts';

type Q = { obj: ItemView; params: Record<string, unknown> }[];
const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));

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
    // The public's through the public read port (migration 0026), so a page listing items can be kept (ADR 0029).
    column: (queries: Q, { zq }: GqlContext) =>
      homeColumnsOf(
        zq,
        queries.map((q) => q.obj),
      ),
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
    // 政策解读 ↔ 规范性文件, both sides in one statement for the public (migration 0026, ADR 0029).
    interprets: (queries: Q, { zq }: GqlContext) =>
      linkedItemsOf(
        zq,
        queries.map((q) => q.obj),
        'policy',
      ),
    interpretations: (queries: Q, { zq }: GqlContext) =>
      linkedItemsOf(
        zq,
        queries.map((q) => q.obj),
        'interpretation',
      ),
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

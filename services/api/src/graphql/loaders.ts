import {
  AppError,
  apiTokensOfSites,
  type Column,
  canAdministerSite,
  columnsOfSites,
  domainsOf,
  type Membership,
  membershipsOfSites,
  type Site,
  sitesByIds,
  usersByIds,
} from '@zhanqun/core';
import { Column as ColumnEntity } from '@zhanqun/core';
import { type GqlContext, groupFor } from './context.ts';
import { engagementLoaders } from './engagement.loaders.ts';
import { interactionLoaders } from './interaction.loaders.ts';
import { itemLoaders } from './items.loaders.ts';
import { importLoaders } from './resolvers/import.resolvers.ts';
import { mediaLoaders } from './resolvers/media.resolvers.ts';

type Q<T> = { obj: T; params: Record<string, unknown> }[];

/** Builds each site's column tree from one flat list; remembers children per column for Column.children. */
function buildTrees(siteIds: string[], columns: Column[], memo: WeakMap<Column, Column[]>): Column[][] {
  const byParent = new Map<string, Column[]>();
  const ids = new Set(columns.map((c) => c.id));
  for (const c of columns) {
    // A column whose parent is hidden from this caller is hidden too.
    const key = c.parentId ? (ids.has(c.parentId) ? c.parentId : null) : `site:${c.siteId}`;
    if (key === null) continue;
    const list = byParent.get(key);
    if (list) list.push(c);
    else byParent.set(key, [c]);
  }
  for (const c of columns) memo.set(c, byParent.get(c.id) ?? []);
  return siteIds.map((id) => byParent.get(`site:${id}`) ?? []);
}

/** Mercurius loaders: each runs one query for all objects of a level, so SQL round trips stay constant. */
export const loaders = {
  Site: {
    async columns(queries: Q<Site>, ctx: GqlContext) {
      const ids = queries.map((q) => q.obj.id);
      return buildTrees(ids, await columnsOfSites(ctx.zq, ids), ctx.columnChildren);
    },
    async domains(queries: Q<Site>, { zq }: GqlContext) {
      const rows = await domainsOf(zq, [...new Set(queries.map((q) => q.obj.id))]);
      return groupFor(
        queries,
        rows,
        (d) => d.siteId,
        (q) => q.obj.id,
      ).map((list) => list.map((d) => ({ host: d.host, primary: d.isPrimary })));
    },
    async parent(queries: Q<Site>, { zq }: GqlContext) {
      const rows = await sitesByIds(
        zq,
        queries.map((q) => q.obj.parentId).filter((id): id is string => !!id),
      );
      const byId = new Map(rows.map((s) => [s.id, s]));
      return queries.map((q) => (q.obj.parentId ? (byId.get(q.obj.parentId) ?? null) : null));
    },
    async children(queries: Q<Site>, { zq }: GqlContext) {
      const childIds = queries.flatMap((q) => zq.directory.children(q.obj.id).map((c) => c.id));
      const rows = await sitesByIds(zq, childIds);
      return groupFor(
        queries,
        rows,
        (s) => s.parentId ?? '',
        (q) => q.obj.id,
      ).map((l) => l.sort((a, b) => a.code.localeCompare(b.code)));
    },
    async members(queries: Q<Site>, { zq }: GqlContext) {
      const rows = await membershipsOfSites(
        zq,
        queries.map((q) => q.obj.id),
      );
      const grouped = groupFor(
        queries,
        rows,
        (m) => m.siteId,
        (q) => q.obj.id,
      );
      return queries.map((q, i) =>
        canAdministerSite(zq.actor, q.obj.id, zq.directory) ? grouped[i] : new AppError('FORBIDDEN'),
      );
    },
    async apiTokens(queries: Q<Site>, { zq }: GqlContext) {
      const rows = await apiTokensOfSites(
        zq,
        queries.map((q) => q.obj.id),
      );
      const grouped = groupFor(
        queries,
        rows,
        (t) => t.siteId,
        (q) => q.obj.id,
      );
      return queries.map((q, i) =>
        canAdministerSite(zq.actor, q.obj.id, zq.directory) ? grouped[i] : new AppError('FORBIDDEN'),
      );
    },
  },
  Item: { ...itemLoaders.Item, provenance: importLoaders.provenance },
  ImportRun: importLoaders.ImportRun,
  Letter: interactionLoaders.Letter,
  DisclosureRequest: interactionLoaders.DisclosureRequest,
  Interview: engagementLoaders.Interview,
  InterviewQuestion: engagementLoaders.InterviewQuestion,
  Survey: engagementLoaders.Survey,
  Media: mediaLoaders.Media,
  Column: {
    mergedInto: itemLoaders.Column.mergedInto,
    async children(queries: Q<Column>, ctx: GqlContext) {
      const missing = queries.filter((q) => !ctx.columnChildren.has(q.obj));
      if (missing.length > 0) {
        // Columns that came from a mutation rather than a tree load: fetch their children in one query.
        const rows = await ctx.zq.em.find(
          ColumnEntity,
          { parentId: { $in: missing.map((q) => q.obj.id) } },
          { orderBy: { sortOrder: 'asc', code: 'asc' } },
        );
        const grouped = groupFor(
          missing,
          rows,
          (c) => c.parentId ?? '',
          (q) => q.obj.id,
        );
        for (const [i, list] of grouped.entries()) ctx.columnChildren.set(missing[i]!.obj, list);
      }
      return queries.map((q) => ctx.columnChildren.get(q.obj) ?? []);
    },
  },
  Membership: {
    async user(queries: Q<Membership>, { zq }: GqlContext) {
      const rows = await usersByIds(
        zq,
        queries.map((q) => q.obj.userId),
      );
      const byId = new Map(rows.map((u) => [u.id, u]));
      return queries.map((q) => byId.get(q.obj.userId) ?? new AppError('NOT_FOUND'));
    },
    async site(queries: Q<Membership>, { zq }: GqlContext) {
      const rows = await sitesByIds(
        zq,
        queries.map((q) => q.obj.siteId),
      );
      const byId = new Map(rows.map((s) => [s.id, s]));
      return queries.map((q) => byId.get(q.obj.siteId) ?? new AppError('NOT_FOUND'));
    },
    async column(queries: Q<Membership>, { zq }: GqlContext) {
      const ids = queries.map((q) => q.obj.columnId).filter((id): id is string => !!id);
      const rows = ids.length ? await zq.em.find(ColumnEntity, { id: { $in: ids } }) : [];
      const byId = new Map(rows.map((c) => [c.id, c]));
      return queries.map((q) => (q.obj.columnId ? (byId.get(q.obj.columnId) ?? null) : null));
    },
  },
};

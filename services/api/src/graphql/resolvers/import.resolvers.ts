import {
  cancelImport,
  commitImport,
  type ImportRun,
  type ImportSignOff,
  type ItemView,
  importRun,
  importSignOffs,
  listImportRuns,
  listLegacySites,
  provenanceOf,
  type SignImportRunInput,
  type StartImportInput,
  signImportRun,
  sitesByIds,
  startImport,
  type UpsertLegacySiteInput,
  upsertLegacySite,
} from '@zhanqun/core';
import { type GqlContext, groupFor } from '../context.ts';

type Q<T> = { obj: T; params: Record<string, unknown> }[];

/** Issue 11: thin resolvers over the import use cases. */
export const importResolvers = {
  Query: {
    importRun: (_: unknown, a: { id: string }, { zq }: GqlContext) => importRun(zq, a.id),
    importRuns: (_: unknown, a: { site: string }, { zq }: GqlContext) => listImportRuns(zq, a.site),
    legacySites: (_: unknown, a: { site: string }, { zq }: GqlContext) => listLegacySites(zq, a.site),
  },
  Mutation: {
    startImport: (_: unknown, a: { input: StartImportInput }, { zq }: GqlContext) => startImport(zq, a.input),
    commitImport: (_: unknown, a: { id: string }, { zq }: GqlContext) => commitImport(zq, a.id),
    cancelImport: (_: unknown, a: { id: string }, { zq }: GqlContext) => cancelImport(zq, a.id),
    signImportRun: (_: unknown, a: { input: SignImportRunInput }, { zq }: GqlContext) => signImportRun(zq, a.input),
    upsertLegacySite: (_: unknown, a: { input: UpsertLegacySiteInput }, { zq }: GqlContext) =>
      upsertLegacySite(zq, a.input),
  },
  ImportRun: {
    system: (r: ImportRun) => r.sourceSystem,
    startedBy: (r: ImportRun) => r.startedByName ?? null,
    progress: (r: ImportRun) => ({
      staged: r.staged,
      applied: r.applied,
      total: r.total ?? null,
      batches: r.batches,
      percent: r.total ? Math.min(100, Math.round((r.applied / r.total) * 1000) / 10) : r.total === 0 ? 100 : null,
    }),
  },
};

export const importLoaders = {
  ImportRun: {
    async site(queries: Q<ImportRun>, { zq }: GqlContext) {
      const sites = new Map(
        (
          await sitesByIds(
            zq,
            queries.map((q) => q.obj.siteId),
          )
        ).map((s) => [s.id, s]),
      );
      return queries.map((q) => sites.get(q.obj.siteId) ?? null);
    },
    async signOffs(queries: Q<ImportRun>, { zq }: GqlContext) {
      const rows = await importSignOffs(
        zq,
        queries.map((q) => q.obj.id),
      );
      return groupFor(
        queries,
        rows,
        (s: ImportSignOff) => s.runId,
        (q) => q.obj.id,
      );
    },
  },
  /** 迁移自: one statement for every item of the page. */
  async provenance(queries: Q<ItemView>, { zq }: GqlContext) {
    const map = await provenanceOf(
      zq,
      queries.map((q) => q.obj.id),
    );
    return queries.map((q) => map.get(q.obj.id) ?? null);
  },
};

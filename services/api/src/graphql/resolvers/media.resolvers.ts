import {
  type Media,
  MediaRendition,
  deleteMedia,
  getMedia,
  mediaLibrary,
  mediaPath,
  signedMediaPath,
  type UpdateMediaInput,
  updateMedia,
  whereUsed,
} from '@zhanqun/core';
import { connection, type GqlContext, groupFor } from '../context.ts';

type Q = { obj: Media; params: Record<string, unknown> }[];

export const mediaResolvers = {
  Query: {
    media: (_: unknown, a: { id: string }, { zq }: GqlContext) => getMedia(zq, a.id),
    mediaLibrary: async (
      _: unknown,
      a: { site: string; filter?: { kind?: never; query?: string; unused?: boolean }; first?: number; after?: string },
      { zq }: GqlContext,
    ) => connection(await mediaLibrary(zq, { site: a.site, ...(a.filter ?? {}), first: a.first, after: a.after })),
  },
  Mutation: {
    updateMedia: (_: unknown, a: { input: UpdateMediaInput }, { zq }: GqlContext) => updateMedia(zq, a.input),
    deleteMedia: (_: unknown, a: { id: string; reason?: string }, { zq }: GqlContext) =>
      deleteMedia(zq, a.id, a.reason),
  },
  Media: {
    site: (m: Media, _: unknown, { zq }: GqlContext) => zq.directory.byId(m.siteId)?.code ?? '',
    url: (m: Media) => mediaPath(m.id),
    previewUrl: (m: Media, _: unknown, { zq }: GqlContext) => signedMediaPath(zq, m.id),
    replaces: (m: Media) => m.previousId,
  },
};

export const mediaLoaders = {
  Media: {
    async renditions(queries: Q, { zq }: GqlContext) {
      const ids = queries.map((q) => q.obj.id);
      const rows = await zq.em.find(MediaRendition, { mediaId: { $in: ids } }, { orderBy: { name: 'asc' } });
      return groupFor(
        queries,
        rows.map((r) => ({ ...r, url: mediaPath(r.mediaId, r.name) })),
        (r) => r.mediaId,
        (q) => q.obj.id,
      );
    },
    async usedBy(queries: Q, { zq }: GqlContext) {
      const uses = await whereUsed(
        zq,
        queries.map((q) => q.obj.id),
      );
      return queries.map((q) => uses.get(q.obj.id) ?? []);
    },
  },
};

import type { FilterQuery } from '@mikro-orm/core';
import { AppError } from '../errors/app-error.ts';
import { canSeeDrafts } from '../items/item-access.ts';
import { Item } from '../items/item.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { type Page, decodeCursorValue, encodeCursorValue, pageSize } from '../shared/pagination.ts';
import { parseInput } from '../shared/validation.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { Media, MediaReference } from './media.entity.ts';
import { type MediaLibraryInput, mediaLibraryInput } from './media.inputs.ts';
import { requireMedia } from './media.service.ts';

/** One file, for the people of its site (the public reaches files only through published items). */
export async function getMedia(ctx: Ctx, id: string): Promise<Media> {
  const m = await requireMedia(ctx, id);
  if (!canSeeDrafts(ctx, m.siteId)) throw new AppError('NOT_FOUND', 'Media not found', { field: 'id' });
  return m;
}

/** A site's media library, newest first, filterable by kind, words of the title or name, and unused files. */
export async function mediaLibrary(ctx: Ctx, raw: MediaLibraryInput): Promise<Page<Media>> {
  const input = parseInput(mediaLibraryInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canSeeDrafts(ctx, site.id)) throw new AppError('FORBIDDEN', undefined, { field: 'site' });
  const limit = pageSize(input.first);
  const conds: FilterQuery<Media>[] = [{ siteId: site.id, deletedAt: null }];
  if (input.kind) conds.push({ kind: input.kind });
  if (input.query) {
    const like = `%${input.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push({ $or: [{ title: { $ilike: like } }, { originalName: { $ilike: like } }] });
  }
  if (input.unused) {
    const used = await ctx.em.execute<{ media_id: string }[]>(
      'select distinct media_id from media_reference where site_id = ?',
      [site.id],
    );
    conds.push({ id: { $nin: used.map((u) => u.media_id) } });
  }
  if (input.after) {
    const [at, id] = decodeCursorValue(input.after, ['datetime', 'uuid']) as [string, string];
    conds.push({ $or: [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }] });
  }
  const rows = await ctx.em.find(
    Media,
    { $and: conds },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursorValue([n.createdAt.toISOString(), n.id])),
    hasNextPage: rows.length > limit,
    hasPreviousPage: !!input.after,
  };
}

export interface MediaUse {
  itemId: string;
  title: string;
  state: string;
  /** The item's current version uses it. */
  current: boolean;
  /** The item's published version uses it. */
  published: boolean;
}

/** Where files are used, for many files at once (one query for the references, one for the items). */
export async function whereUsed(ctx: Ctx, mediaIds: readonly string[]): Promise<Map<string, MediaUse[]>> {
  const out = new Map<string, MediaUse[]>(mediaIds.map((id) => [id, []]));
  if (!mediaIds.length) return out;
  const refs = await ctx.em.find(MediaReference, { mediaId: { $in: [...mediaIds] } });
  const items = refs.length ? await ctx.em.find(Item, { id: { $in: [...new Set(refs.map((r) => r.itemId))] } }) : [];
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const id of mediaIds) {
    const seen = new Map<string, MediaUse>();
    for (const r of refs.filter((x) => x.mediaId === id)) {
      const item = byId.get(r.itemId);
      if (!item) continue;
      const use = seen.get(item.id) ?? {
        itemId: item.id,
        title: item.title,
        state: item.state,
        current: false,
        published: false,
      };
      use.current ||= item.headRevisionId === r.revisionId;
      use.published ||= item.publishedRevisionId === r.revisionId;
      seen.set(item.id, use);
    }
    out.set(
      id,
      [...seen.values()].filter((u) => u.current || u.published),
    );
  }
  return out;
}

import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../errors/app-error.ts';
import type { ItemContent } from '../items/item.content.ts';
import type { ItemRevision } from '../items/item.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { Media, MediaReference, type MediaRole } from './media.entity.ts';
import { ensureTextExtracted } from './media.process.ts';

const INLINE = /(?:\/media\/|media:)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;
const MEDIA_URL = /^media:([0-9a-f-]{36})$/i;

/** The platform URL of a file (served on the site's own host, see media.serve.ts). */
export const mediaPath = (id: string, variant = 'original') => `/media/${id}/${variant}`;

/** Files an inline `<img src="/media/<id>/…">` of the body uses. */
export function inlineMediaIds(body: string): string[] {
  return [...new Set([...body.matchAll(INLINE)].map((m) => m[1]!.toLowerCase()))];
}

/**
 * Fills in what an item's content needs about the files it uses by id: their URL, hash (pinned), type, and the
 * library's name and alt text as defaults. Every file must be a live file of the item's own site — another
 * site's file is reported exactly like a missing one (row-level security hides it anyway).
 */
export async function resolveContentMedia(ctx: Ctx, siteId: string, given: ItemContent): Promise<ItemContent> {
  // `media:<uuid>` (issue 7's form of a platform reference) is the same as giving the id.
  const byUrl = <T extends { url: string; mediaId?: string }>(x: T): T =>
    !x.mediaId && MEDIA_URL.test(x.url) ? { ...x, mediaId: x.url.slice(6).toLowerCase() } : x;
  const content = { ...given, images: given.images.map(byUrl), attachments: given.attachments.map(byUrl) };
  const ids = [
    ...content.images.filter((i) => i.mediaId && !i.sha256).map((i) => i.mediaId!),
    ...content.attachments.filter((a) => a.mediaId && !a.sha256).map((a) => a.mediaId!),
    ...inlineMediaIds(content.body),
  ];
  if (!ids.length) return content;
  const found = await ctx.em.find(Media, { id: { $in: [...new Set(ids)] }, siteId, deletedAt: null });
  const byId = new Map(found.map((m) => [m.id, m]));
  const need = (id: string, field: string) => {
    const m = byId.get(id);
    if (!m) throw new AppError('NOT_FOUND', 'Media not found in this site', { field });
    return m;
  };
  for (const id of inlineMediaIds(content.body)) need(id, 'body');
  return {
    ...content,
    images: content.images.map((i) => {
      if (!i.mediaId || i.sha256) return i;
      const m = need(i.mediaId, 'images');
      if (m.kind !== 'IMAGE')
        throw new AppError('INVALID_INPUT', 'Only an image can be used as an image', { field: 'images' });
      const alt = i.alt ?? m.alt ?? null;
      const caption = i.caption ?? m.caption ?? null;
      return {
        ...i,
        url: MEDIA_URL.test(i.url) ? i.url : mediaPath(m.id),
        alt,
        caption,
        mediaId: m.id,
        sha256: m.sha256,
      };
    }),
    attachments: content.attachments.map((a) => {
      if (!a.mediaId || a.sha256) return a;
      const m = need(a.mediaId, 'attachments');
      return {
        ...a,
        // A `media:<uuid>` reference stays as written; an id alone gets the file's path.
        url: MEDIA_URL.test(a.url) ? a.url : mediaPath(m.id),
        name: a.name || m.title || m.originalName,
        mediaType: m.mediaType,
        mediaId: m.id,
        sha256: m.sha256,
      };
    }),
  };
}

/** Records which files a new revision uses (after the revision row is flushed). */
export async function linkRevisionMedia(
  tx: EntityManager,
  revision: ItemRevision,
  content: ItemContent,
): Promise<void> {
  const refs = new Map<string, { mediaId: string; role: MediaRole; sha256: string | null }>();
  const add = (mediaId: string, role: MediaRole, sha256: string | null) =>
    refs.set(`${mediaId}:${role}`, { mediaId, role, sha256 });
  for (const i of content.images) if (i.mediaId) add(i.mediaId, 'IMAGE', i.sha256 ?? null);
  for (const a of content.attachments) if (a.mediaId) add(a.mediaId, 'ATTACHMENT', a.sha256 ?? null);
  for (const id of inlineMediaIds(content.body)) add(id, 'INLINE', null);
  if (!refs.size) return;
  const unknown = [...refs.values()].filter((r) => !r.sha256).map((r) => r.mediaId);
  const shas = new Map(
    unknown.length
      ? (await tx.find(Media, { id: { $in: unknown }, siteId: revision.siteId })).map((m) => [m.id, m.sha256])
      : [],
  );
  for (const r of refs.values())
    tx.create(MediaReference, {
      revisionId: revision.id,
      mediaId: r.mediaId,
      role: r.role,
      itemId: revision.itemId,
      siteId: revision.siteId,
      sha256: r.sha256 ?? shas.get(r.mediaId) ?? '',
    });
  await tx.flush();
}

/** What level 3 needs of the files an item uses; reads any text the worker has not extracted yet (issue 8). */
export async function prepublishMedia(ctx: Ctx, content: ItemContent) {
  const ids = [...content.images, ...content.attachments].filter((x) => x.mediaId).map((x) => x.mediaId!);
  if (!ids.length) return [];
  // Files the worker has not read yet are read now (or the sign-off is refused): never checked on names alone.
  await ensureTextExtracted(ctx, ids);
  const rows = await ctx.em.find(
    Media,
    { id: { $in: [...new Set(ids)] } },
    { populate: ['extractedText'] as never, refresh: true },
  );
  return rows.map((m) => ({
    id: m.id,
    kind: m.kind,
    caption: m.caption ?? null,
    text: m.extractedText ?? null,
    textStatus: m.textStatus,
    name: m.originalName,
  }));
}

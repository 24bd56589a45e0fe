import { randomUUID } from 'node:crypto';
import { actorLabel } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import { SignOff } from '../items/item.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { assertWritable, requireSiteByCode } from '../sites/site-lookup.ts';
import { mediaPort, requireMediaWriter } from './media-access.ts';
import { Media, MediaReference, MediaRendition } from './media.entity.ts';
import { type UpdateMediaInput, type UploadMediaInput, updateMediaInput, uploadMediaInput } from './media.inputs.ts';
import { checkFileName, quotaProblem } from './media.policy.ts';
import { originalKey, renditionKey } from './media.port.ts';

/** A file the edge has streamed to a temporary path while counting its bytes. */
export interface ReceivedFile {
  path: string;
  name: string;
  size: number;
  /** SHA-256 of the bytes, computed while they streamed in. */
  sha256: string;
}

/** Bytes the site's live media occupy (each stored object once). */
async function usedBytes(ctx: Ctx, siteId: string): Promise<number> {
  const [row] = await ctx.em.execute<{ used: string | null }[]>(
    'select coalesce(sum(size), 0) as used from (select distinct on (sha256) size from media where site_id = ? and deleted_at is null) s',
    [siteId],
  );
  return Number(row?.used ?? 0);
}

/**
 * Stores an uploaded file for a site. Nothing is half-written: the bytes are stored first, the row and its audit
 * record are committed together, and bytes stored by this call are removed again if the row cannot be written.
 * The same bytes uploaded again to the same site return the existing file (content addressing).
 */
export async function uploadMedia(ctx: Ctx, raw: UploadMediaInput, file: ReceivedFile): Promise<Media> {
  const input = parseInput(uploadMediaInput, raw);
  const port = mediaPort(ctx);
  if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED');
  const site = await requireSiteByCode(ctx, input.site);
  assertWritable(site);
  requireMediaWriter(ctx, site.id, { upload: true });
  const name = checkFileName(file.name);
  if (file.size > port.settings.maxBytes) throw new AppError('MEDIA_TOO_LARGE', undefined, { field: 'file' });
  const previous = input.replaces
    ? await ctx.em.findOne(Media, { id: input.replaces, siteId: site.id, deletedAt: null })
    : null;
  if (input.replaces && !previous) throw new AppError('NOT_FOUND', 'Media not found', { field: 'replaces' });
  const uploadSha = file.sha256;
  const existing = await ctx.em.findOne(Media, { siteId: site.id, uploadSha256: uploadSha, deletedAt: null });
  if (existing && !previous) return existing;
  if (existing && previous) throw new AppError('CONFLICT', 'These exact bytes are already a file of this site');
  const prepared = await port.tools.prepare(file.path, name, uploadSha);
  try {
    const quota = port.settings.quotaOverrides[site.code] ?? port.settings.quotaBytes;
    const over = quotaProblem(await usedBytes(ctx, site.id), prepared.size, quota);
    if (over) throw over;
    const key = originalKey(site.id, prepared.sha256);
    const storedBefore = await port.storage.exists(key);
    if (!storedBefore) await port.storage.put(key, prepared.path);
    const now = ctx.now();
    try {
      const media = await ctx.em.transactional(async (tx) => {
        const m = tx.create(Media, {
          id: randomUUID(),
          siteId: site.id,
          sha256: prepared.sha256,
          uploadSha256: uploadSha,
          size: prepared.size,
          mediaType: prepared.mediaType,
          kind: prepared.kind,
          extension: prepared.extension,
          originalName: name,
          title: input.title ?? previous?.title ?? null,
          alt: input.alt ?? previous?.alt ?? null,
          caption: input.caption ?? previous?.caption ?? null,
          width: prepared.width,
          height: prepared.height,
          animated: prepared.animated,
          placeholder: prepared.placeholder,
          previousId: previous?.id ?? null,
          textStatus: ['application/pdf', DOCX].includes(prepared.mediaType) ? 'PENDING' : 'NONE',
          extractedText: null,
          createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
          createdByName: actorLabel(ctx.actor).name,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: previous ? 'media.replace' : 'media.upload',
          targetType: 'Media',
          targetId: m.id,
          changes: {
            name,
            sha256: prepared.sha256,
            size: prepared.size,
            mediaType: prepared.mediaType,
            ...(previous ? { replaces: previous.id } : {}),
          },
        });
        return m;
      });
      await ctx.jobs?.processMedia?.(media.id).catch(() => undefined);
      return media;
    } catch (e) {
      // No bytes without a row: undo the store this call made (another row may share older bytes: keep those).
      if (!storedBefore) await port.storage.delete(key).catch(() => undefined);
      throw e;
    }
  } finally {
    await prepared.cleanup();
  }
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A live media file of a site in the actor's reach (others are reported exactly like missing ones). */
export async function requireMedia(ctx: Ctx, id: string, field = 'id'): Promise<Media> {
  const m = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Media, { id, deletedAt: null }) : null;
  if (!m) throw new AppError('NOT_FOUND', 'Media not found', { field });
  return m;
}

/** Alt text, caption and title describe a file; the bytes never change. */
export async function updateMedia(ctx: Ctx, raw: UpdateMediaInput): Promise<Media> {
  const input = parseInput(updateMediaInput, raw);
  const m = await requireMedia(ctx, input.id);
  requireMediaWriter(ctx, m.siteId);
  const changes: Record<string, unknown> = {};
  for (const k of ['title', 'alt', 'caption'] as const) {
    if (input[k] === undefined) continue;
    const v = input[k] || null;
    if (v !== m[k]) changes[k] = { from: m[k], to: v };
    m[k] = v;
  }
  m.updatedAt = ctx.now();
  await ctx.em.transactional(async (tx) => {
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: m.siteId,
      action: 'media.update',
      targetType: 'Media',
      targetId: m.id,
      changes,
    });
  });
  return m;
}

/**
 * Whether a revision that matters still uses the file: the current version of an item, or any version that was
 * ever approved for publication (a level-3 sign-off binds it). Those are never deleted (2017 §1.2 存档备查).
 */
export async function mediaInUse(ctx: Ctx, mediaId: string): Promise<boolean> {
  const refs = await ctx.em.find(MediaReference, { mediaId }, { fields: ['revisionId', 'itemId'] });
  if (!refs.length) return false;
  const revisionIds = refs.map((r) => r.revisionId);
  const [head] = await ctx.em.execute<{ n: string }[]>(
    'select count(*) as n from item where head_revision_id in (?) or published_revision_id in (?)',
    [revisionIds, revisionIds],
  );
  if (Number(head?.n ?? 0) > 0) return true;
  return (await ctx.em.count(SignOff, { revisionId: { $in: revisionIds }, level: 3, decision: 'APPROVED' })) > 0;
}

/** Deletes a file nobody uses: the row is stamped, the bytes (and renditions) removed. Audited. */
export async function deleteMedia(ctx: Ctx, id: string, reason?: string | null): Promise<Media> {
  const m = await requireMedia(ctx, id);
  requireMediaWriter(ctx, m.siteId);
  if (await mediaInUse(ctx, m.id)) throw new AppError('MEDIA_IN_USE', undefined, { field: 'id' });
  const renditions = await ctx.em.find(MediaRendition, { mediaId: m.id });
  m.deletedAt = ctx.now();
  await ctx.em.transactional(async (tx) => {
    await tx.flush();
    await tx.nativeDelete(MediaRendition, { mediaId: m.id });
    await appendAudit(tx, ctx, {
      siteId: m.siteId,
      action: 'media.delete',
      targetType: 'Media',
      targetId: m.id,
      changes: { name: m.originalName, sha256: m.sha256, reason: reason ?? null },
    });
  });
  // Bytes go only when no other row of the site (a replaced version, a re-upload, a revision's pin) has them.
  const sharing = await ctx.em.count(Media, { siteId: m.siteId, sha256: m.sha256, id: { $ne: m.id } });
  if (!sharing) {
    const port = mediaPort(ctx);
    await port.storage.delete(originalKey(m.siteId, m.sha256)).catch(() => undefined);
    for (const r of renditions)
      await port.storage.delete(renditionKey(m.siteId, m.sha256, r.name)).catch(() => undefined);
  }
  return m;
}

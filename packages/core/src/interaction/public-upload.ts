import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import type { Actor } from '../access/actor.ts';
import { AppError } from '../errors/app-error.ts';
import { Media } from '../media/media.entity.ts';
import { extensionOf } from '../media/media.policy.ts';
import { type ReceivedFile, uploadMedia } from '../media/media.service.ts';
import type { Ctx } from '../shared/context.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { parseInput } from '../shared/validation.ts';
import type { LetterAttachment } from './mailbox/mailbox.entity.ts';
import { PublicUpload } from './public-upload.entity.ts';
import { spendProofOfWork, throttlePublicWrite } from './public-write-guard.ts';

/** A citizen's file: at most 10 MiB (a scanned page or a photo; staff uploads allow far more). */
export const PUBLIC_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
/** Images, PDF and Office/WPS documents only: no audio, video, archives or text from the public. */
export const PUBLIC_UPLOAD_EXTENSIONS = [
  'jpg',
  'jpeg',
  'png',
  'webp',
  'gif',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'wps',
  'et',
  'dps',
] as const;
/** A letter carries at most this many files. */
export const LETTER_MAX_ATTACHMENTS = 3;

const uploadInput = z.object({ site: z.string().max(64), altcha: z.string().min(1).max(4000) });

const PUBLIC_UPLOADER: Actor = { kind: 'system', name: '公众上传 (public upload)' };

/**
 * A citizen uploads a file to send with a letter (2015 §4; issue 9: attachments through the media pipeline). The
 * public-write guard applies as for the letter itself: a throttle per address (its own counter), a solved ALTCHA
 * challenge, a size limit, and a narrow list of types — the media pipeline then decides the type by the content
 * and refuses a file whose content does not match its extension or that hides markup (media.policy). The file
 * becomes a media file of the site, uploaded by the system actor "public upload" (audited), and is **not
 * public**: no published item uses it; the site's handlers read it with the letter.
 */
export async function uploadPublicAttachment(
  ctx: Ctx,
  raw: z.input<typeof uploadInput>,
  file: ReceivedFile,
): Promise<Media> {
  const input = parseInput(uploadInput, raw);
  const entry = (await ctx.directory.fresh()).byCode(input.site);
  if (entry?.status !== 'ONLINE') throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  const limits = ctx.settings.publicWrites;
  await throttlePublicWrite(ctx, [
    {
      kind: 'addr',
      value: `upload\u0000${ctx.clientAddress ?? 'unknown'}`,
      limit: limits.perAddress * LETTER_MAX_ATTACHMENTS,
    },
  ]);
  if (file.size > PUBLIC_UPLOAD_MAX_BYTES) throw new AppError('MEDIA_TOO_LARGE', undefined, { field: 'file' });
  if (!(PUBLIC_UPLOAD_EXTENSIONS as readonly string[]).includes(extensionOf(file.name))) {
    throw new AppError('MEDIA_TYPE_NOT_ALLOWED', 'Images, PDF and Office documents only', { field: 'file' });
  }
  const em = forkForPublicRead(ctx, [entry.id]);
  // The challenge is spent before the bytes are stored: a refused file costs the sender a new challenge.
  await em.transactional((tx) => spendProofOfWork(tx, ctx, input.altcha));
  const sub: Ctx = { ...ctx, actor: PUBLIC_UPLOADER, em };
  const media = await uploadMedia(sub, { site: input.site, title: null }, file);
  await em.transactional(async (tx) => {
    await tx.execute(
      'insert into public_upload (media_id, site_id, uploaded_at) values (?, ?, ?) on conflict (media_id) do nothing',
      [media.id, entry.id, ctx.now()],
    );
  });
  return media;
}

/**
 * The files a letter names, inside the letter's transaction: each must be a public upload to the same site.
 * Another site's file, a staff file or an unknown id is NOT_FOUND alike.
 */
export async function claimLetterAttachments(
  tx: EntityManager,
  siteId: string,
  letterId: string,
  mediaIds: readonly string[],
  at: Date,
): Promise<LetterAttachment[]> {
  const ids = [...new Set(mediaIds)];
  if (ids.length === 0) return [];
  const uploads = await tx.find(PublicUpload, { mediaId: { $in: ids }, siteId });
  const media = uploads.length ? await tx.find(Media, { id: { $in: ids }, siteId, deletedAt: null }) : [];
  if (uploads.length !== ids.length || media.length !== ids.length) {
    throw new AppError('NOT_FOUND', 'An attachment was not found: upload it first', { field: 'attachments' });
  }
  await tx.nativeUpdate(PublicUpload, { mediaId: { $in: ids }, letterId: null }, { letterId, claimedAt: at });
  const byId = new Map(media.map((m) => [m.id, m]));
  return ids.map((id) => {
    const m = byId.get(id)!;
    return { mediaId: m.id, name: m.originalName, mediaType: m.mediaType, size: m.size };
  });
}

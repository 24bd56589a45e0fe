import { join } from 'node:path';
import { AppError } from '../errors/app-error.ts';
import { recordSearchChanges } from '../search/search-outbox.ts';
import type { Ctx } from '../shared/context.ts';
import { mediaPort } from './media-access.ts';
import { Media, MediaRendition } from './media.entity.ts';
import { parseRenditionName, renditionPlan } from './media.policy.ts';
import { originalKey, renditionKey } from './media.port.ts';

/** The text kept per file for search and the personal-data check (enough for any real attachment). */
export const MAX_EXTRACTED_TEXT = 1_000_000;

/**
 * The worker's job after an upload: an image gets its renditions, a PDF or DOCX its text. Idempotent: what
 * already exists is skipped, so a retried job finishes the rest.
 */
export async function processMedia(ctx: Ctx, mediaId: string): Promise<{ renditions: number; text: boolean }> {
  const port = mediaPort(ctx);
  const m = await ctx.em.findOne(Media, { id: mediaId, deletedAt: null });
  if (!m) return { renditions: 0, text: false };
  const tmp = await port.tools.tempDir();
  try {
    return await processFile(ctx, m, tmp.path);
  } finally {
    await tmp.remove();
  }
}

async function processFile(ctx: Ctx, m: Media, dir: string) {
  const port = mediaPort(ctx);
  const src = join(dir, 'original');
  await port.storage.download(originalKey(m.siteId, m.sha256), src);
  let made = 0;
  if (m.kind === 'IMAGE') {
    const have = new Set((await ctx.em.find(MediaRendition, { mediaId: m.id })).map((r) => r.name));
    const plan = renditionPlan({
      width: m.width ?? 0,
      animated: m.animated,
      hasAlpha: await port.tools.hasAlpha(src),
    }).filter((n) => !have.has(n));
    made = (await storeRenditions(ctx, m, src, plan, dir)).length;
  }
  const text = m.textStatus === 'PENDING' ? await extractAndStore(ctx, m, src) : false;
  return { renditions: made, text };
}

/** Reads a file's text (off the event loop, in the adapter) and stores it; true when text was read. */
async function extractAndStore(ctx: Ctx, m: Media, src: string): Promise<boolean> {
  const port = mediaPort(ctx);
  let text = false;
  try {
    const extracted = (await port.tools.extractText(src, m.mediaType)) ?? '';
    m.extractedText = extracted.slice(0, MAX_EXTRACTED_TEXT);
    m.textStatus = 'DONE';
    text = true;
  } catch {
    m.textStatus = 'FAILED';
  }
  await ctx.em.transactional(async (tx) => {
    await tx.flush();
    // Live items that attach this file get their search document again, now with the file's text.
    if (text) {
      const live = await tx.execute<{ id: string; site_id: string }[]>(
        `select distinct i.id, i.site_id from media_reference r join item i on i.published_revision_id = r.revision_id
          where r.media_id = ? and i.state = 'PUBLISHED'`,
        [m.id],
      );
      await recordSearchChanges(
        tx,
        live.map((i) => ({ id: i.id, siteId: i.site_id })),
        'media-text',
      );
    }
  });
  return text;
}

/**
 * Level 3 reads every attachment's text before the personal-data check (issue 8): a PDF or DOCX signed before the
 * worker got to it is extracted here, now, within `textWaitMs`. A file still not read by then refuses the
 * sign-off with MEDIA_TEXT_PENDING (retry in a moment; the extraction goes on and stores its result) — a
 * document with an ID-card number is never published unchecked. Files already read cost nothing.
 */
export async function ensureTextExtracted(ctx: Ctx, mediaIds: string[]): Promise<void> {
  if (!mediaIds.length) return;
  const pending = await ctx.em.find(Media, { id: { $in: [...new Set(mediaIds)] }, textStatus: 'PENDING' });
  if (!pending.length) return;
  const port = mediaPort(ctx);
  const work = Promise.all(
    pending.map(async (m) => {
      const tmp = await port.tools.tempDir();
      try {
        const src = join(tmp.path, 'original');
        await port.storage.download(originalKey(m.siteId, m.sha256), src);
        await extractAndStore(ctx, m, src);
      } finally {
        await tmp.remove();
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), port.settings.textWaitMs ?? 20_000);
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') {
      work.catch(() => undefined); // the worker's job (or this extraction, still running) stores the text
      throw new AppError('MEDIA_TEXT_PENDING', undefined, {
        details: { files: pending.map((m) => m.originalName), retryAfterSeconds: 10 },
      });
    }
  } finally {
    clearTimeout(timer);
  }
}

async function storeRenditions(ctx: Ctx, m: Media, src: string, names: string[], dir: string) {
  if (!names.length) return [];
  const port = mediaPort(ctx);
  const made = await port.tools.renditions(src, names, dir, m.animated);
  for (const r of made) await port.storage.put(renditionKey(m.siteId, m.sha256, r.name), r.path);
  const rows = made.map((r) => ({
    mediaId: m.id,
    name: r.name,
    siteId: m.siteId,
    sha256: r.sha256,
    size: r.size,
    mediaType: r.mediaType,
    width: r.width,
    height: r.height,
    createdAt: ctx.now(),
  }));
  // Two workers (or a request and a worker) may race on the same rendition: the first row wins.
  await ctx.em.transactional(async (tx) => {
    for (const row of rows)
      await tx.execute(
        `insert into media_rendition (media_id, name, site_id, sha256, size, media_type, width, height, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
        [row.mediaId, row.name, row.siteId, row.sha256, row.size, row.mediaType, row.width, row.height, row.createdAt],
      );
  });
  return rows;
}

/** A rendition for serving, made on demand when the worker has not (yet) made it. */
export async function ensureRendition(ctx: Ctx, m: Media, name: string): Promise<MediaRendition> {
  const parsed = parseRenditionName(name);
  if (!parsed || m.kind !== 'IMAGE') throw new AppError('NOT_FOUND', 'No such rendition');
  const found = await ctx.em.findOne(MediaRendition, { mediaId: m.id, name });
  if (found) return found;
  const port = mediaPort(ctx);
  const tmp = await port.tools.tempDir();
  try {
    const src = join(tmp.path, 'original');
    await port.storage.download(originalKey(m.siteId, m.sha256), src);
    const plan = renditionPlan({ width: m.width ?? 0, animated: m.animated, hasAlpha: await port.tools.hasAlpha(src) });
    if (!plan.includes(name)) throw new AppError('NOT_FOUND', 'No such rendition');
    await storeRenditions(ctx, m, src, [name], tmp.path);
  } finally {
    await tmp.remove();
  }
  return ctx.em.findOneOrFail(MediaRendition, { mediaId: m.id, name });
}

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, classifyUpload, type PreparedFile } from '@zhanqun/core';
import { fileTypeFromFile } from 'file-type';
import type { Metadata, Sharp } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { loadSharp } from './sharp.ts';

const SNIFF_BYTES = 8192;

/** The first and last bytes of a file, for magic numbers and polyglot markers. */
async function headAndTail(path: string, size: number): Promise<{ head: Buffer; tail: Buffer }> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    await fh.read(head, 0, head.length, 0);
    const tailLen = Math.min(SNIFF_BYTES, Math.max(0, size - head.length));
    const tail = Buffer.alloc(tailLen);
    if (tailLen) await fh.read(tail, 0, tailLen, size - tailLen);
    return { head, tail };
  } finally {
    await fh.close();
  }
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

const OUTPUT: Record<string, (s: Sharp) => Sharp> = {
  'image/jpeg': (s) => s.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }),
  'image/png': (s) => s.png({ compressionLevel: 6 }),
  'image/webp': (s) => s.webp({ quality: 90 }),
  'image/gif': (s) => s.gif(),
  'image/avif': (s) => s.avif({ quality: 70 }),
};

export interface PrepareOptions {
  maxPixels: number;
  tmpDir: string;
}

/**
 * Judges an upload by its content (core's media.policy decides) and, for an image, writes the version that is
 * stored and served: orientation applied, then every metadata block (EXIF, GPS, XMP, IPTC, comments) dropped,
 * CMYK and 16-bit converted to 8-bit sRGB, animation kept. The bytes as uploaded are never stored, so a phone's
 * GPS position cannot leak from any URL. Truncated images and decompression bombs are refused here.
 */
export async function prepareFile(
  path: string,
  fileName: string,
  opts: PrepareOptions,
  knownSha256?: string,
): Promise<PreparedFile> {
  const { size } = await stat(path);
  const { head, tail } = await headAndTail(path, size);
  const detected = await fileTypeFromFile(path);
  let headIsUtf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    headIsUtf8 = false;
  }
  const c = classifyUpload(
    { detected, head: head.toString('latin1'), tail: tail.toString('latin1'), headIsUtf8 },
    fileName,
  );
  const base = { mediaType: c.mediaType, kind: c.kind, extension: c.extension };
  if (c.kind !== 'IMAGE') {
    // Non-images are stored as received: the hash taken while they streamed in is theirs (no second read).
    const sha256 = knownSha256 ?? (await sha256File(path)).sha256;
    return {
      ...base,
      path,
      sha256,
      size,
      width: null,
      height: null,
      animated: false,
      placeholder: null,
      cleanup: async () => {},
    };
  }
  const out = join(opts.tmpDir, `prepared-${randomUUID()}`);
  await mkdir(opts.tmpDir, { recursive: true });
  try {
    const sharp = await loadSharp();
    const input = { limitInputPixels: opts.maxPixels, failOn: 'truncated' as const };
    let meta: Metadata;
    try {
      meta = await sharp(path, input).metadata();
    } catch (e) {
      throw imageError(e);
    }
    const animated = (meta.pages ?? 1) > 1 && (c.mediaType === 'image/gif' || c.mediaType === 'image/webp');
    // Frames × pixels bounds the work of an animation, like the pixel limit bounds a still.
    if ((meta.width ?? 0) * (meta.height ?? 0) > opts.maxPixels)
      throw new AppError('MEDIA_TOO_MANY_PIXELS', undefined, { field: 'file' });
    try {
      const pipeline = sharp(path, { ...input, animated })
        .autoOrient()
        .toColourspace('srgb');
      await OUTPUT[c.mediaType]!(pipeline).toFile(out);
    } catch (e) {
      throw imageError(e);
    }
    const after = await sharp(out, { animated }).metadata();
    const width = after.width ?? 0;
    const height = animated ? (after.pageHeight ?? after.height ?? 0) : (after.height ?? 0);
    const { data, info } = await sharp(out)
      .resize(100, 100, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const placeholder = Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
    const stored = await sha256File(out);
    return {
      ...base,
      path: out,
      sha256: stored.sha256,
      size: stored.size,
      width,
      height,
      animated,
      placeholder,
      cleanup: () => rm(out, { force: true }),
    };
  } catch (e) {
    await rm(out, { force: true });
    throw e;
  }
}

function imageError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const msg = String((e as Error)?.message ?? e);
  if (/pixel limit/i.test(msg)) return new AppError('MEDIA_TOO_MANY_PIXELS', undefined, { field: 'file' });
  return new AppError('MEDIA_IMAGE_INVALID', undefined, { field: 'file', details: { cause: msg.slice(0, 200) } });
}

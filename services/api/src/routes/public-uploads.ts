import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Platform } from '@zhanqun/adapters';
import { mediaTmpDir } from '@zhanqun/adapters';
import { AppError, type Ctx, isAppError, PUBLIC_UPLOAD_MAX_BYTES, uploadPublicAttachment } from '@zhanqun/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './media.ts';

/**
 * POST /public/attachments: a citizen's file for a letter (issue 9), without an account. multipart/form-data with
 * the fields `site` and `altcha` (a solved altchaChallenge) **before** the part named `file`. Streamed to a
 * temporary file while hashed and counted; cut off with 413 past 10 MiB. Core applies the public-write guard
 * (throttle → 429 with retry-after, ALTCHA, types) and the media pipeline's content checks. Answers 201 with the
 * media id to name in `submitLetter(input: { attachments })` — never a URL: the file is not public.
 */
export function publicUploadRoutes(
  app: FastifyInstance,
  platform: Platform,
  ctxFor: (req: FastifyRequest) => Promise<Ctx>,
) {
  const tmpDir = mediaTmpDir(platform.config);
  app.post('/public/attachments', async (req, reply) => {
    if (!req.isMultipart())
      return sendError(reply, new AppError('INVALID_INPUT', 'Send multipart/form-data', { field: 'file' }));
    const fields: Record<string, string> = {};
    let file: { path: string; name: string; size: number; sha256: string } | null = null;
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `public-${randomUUID()}`);
    try {
      for await (const part of req.parts({ limits: { fileSize: PUBLIC_UPLOAD_MAX_BYTES, files: 1 } })) {
        if (part.type === 'field') {
          if (part.fieldname === 'site' || part.fieldname === 'altcha') fields[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          continue;
        }
        const hash = createHash('sha256');
        let size = 0;
        const count = new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(part.file, count, createWriteStream(tmp));
        file = { path: tmp, name: part.filename, size, sha256: hash.digest('hex') };
      }
      if (!file) throw new AppError('INVALID_INPUT', 'The part named "file" is missing', { field: 'file' });
      const media = await uploadPublicAttachment(
        await ctxFor(req),
        { site: fields.site ?? '', altcha: fields.altcha ?? '' },
        file,
      );
      return reply.code(201).send({
        attachment: { mediaId: media.id, name: media.originalName, mediaType: media.mediaType, size: media.size },
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        return sendError(reply, new AppError('MEDIA_TOO_LARGE', 'At most 10 MiB per file', { field: 'file' }));
      if (isAppError(e) && e.reason === 'RATE_LIMITED') {
        const s = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (s) reply.header('retry-after', String(s));
      }
      return sendError(reply, e);
    } finally {
      await rm(tmp, { force: true });
    }
  });
}

import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Platform } from '@zhanqun/adapters';
import { mediaTmpDir } from '@zhanqun/adapters';
import { AppError, type Ctx, isAppError, PUBLIC_UPLOAD_MAX_BYTES, uploadPublicAttachment } from '@zhanqun/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './media.ts';
import { receiveOneFile } from './multipart-file.ts';

/**
 * POST /public/attachments: a citizen's file for a letter (issue 9), without an account. multipart/form-data with
 * the fields `site` and `altcha` (a solved altchaChallenge) **before** the part named `file`. Streamed to a
 * temporary file while hashed and counted; cut off with 413 past 10 MiB. Core applies the public-write guard
 * (throttle → 429 with retry-after, ALTCHA, types) and the media pipeline's content checks. Answers 201 with the
 * media id to name in `submitLetter(input: { attachments })` — never a URL: the file is not public.
 */
const PUBLIC_FIELDS = new Set(['site', 'altcha']);

export function publicUploadRoutes(
  app: FastifyInstance,
  platform: Platform,
  ctxFor: (req: FastifyRequest) => Promise<Ctx>,
) {
  const tmpDir = mediaTmpDir(platform.config);
  app.post('/public/attachments', async (req, reply) => {
    if (!req.isMultipart())
      return sendError(reply, new AppError('INVALID_INPUT', 'Send multipart/form-data', { field: 'file' }));
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `public-${randomUUID()}`);
    try {
      const { fields, file } = await receiveOneFile(req, tmp, {
        fields: PUBLIC_FIELDS,
        limits: { fileSize: PUBLIC_UPLOAD_MAX_BYTES, files: 1 },
      });
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

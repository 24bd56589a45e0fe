import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Platform } from '@zhanqun/adapters';
import { mediaTmpDir } from '@zhanqun/adapters';
import { AppError, type Ctx, requireUploadSite, storeImportUpload } from '@zhanqun/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './media.ts';
import { receiveOneFile } from './multipart-file.ts';

/**
 * POST /imports/uploads?site=CODE (issue 11): one legacy export per request — a WXR file, a .sql dump, a zip of
 * a static site or of a bundle, or the uploads zip for `files` — as multipart/form-data (the part named `file`).
 * The caller must be able to import into the site (a site admin, an IMPORT-scoped API token), checked before the
 * body is read. The file streams to a temporary file while it is hashed (never whole in memory), goes to the
 * media object storage, and the temporary file is removed: the answer's `ref` is what `startImport` takes as
 * `source` or `files`. Past IMPORT_UPLOAD_MAX_BYTES the request is cut off with 413.
 */
export function importUploadRoutes(
  app: FastifyInstance,
  platform: Platform,
  ctxFor: (req: FastifyRequest) => Promise<Ctx>,
) {
  const tmpDir = mediaTmpDir(platform.config);
  app.post<{ Querystring: { site?: string } }>('/imports/uploads', async (req, reply) => {
    const tmp = join(tmpDir, `import-upload-${randomUUID()}`);
    try {
      const ctx = await ctxFor(req);
      if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED');
      const site = await requireUploadSite(ctx, String(req.query.site ?? ''));
      if (!req.isMultipart()) throw new AppError('INVALID_INPUT', 'Send multipart/form-data', { field: 'file' });
      await mkdir(tmpDir, { recursive: true });
      const { file } = await receiveOneFile(req, tmp, {
        fields: new Set(),
        limits: { fileSize: platform.config.IMPORT_UPLOAD_MAX_BYTES, files: 1 },
      });
      const upload = await storeImportUpload(ctx, site, file);
      return reply.code(201).send({ upload });
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        return sendError(reply, new AppError('IMPORT_UPLOAD_TOO_LARGE', undefined, { field: 'file' }));
      return sendError(reply, e);
    } finally {
      await rm(tmp, { force: true });
    }
  });
}

import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Platform } from '@zhanqun/adapters';
import { mediaTmpDir } from '@zhanqun/adapters';
import { AppError, type Ctx, errorKinds, isAppError, type Media, openMediaFile, uploadMedia } from '@zhanqun/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { receiveOneFile } from './multipart-file.ts';

/** The public shape of a stored file, as the upload edge answers it. */
export function mediaJson(m: Media) {
  return {
    id: m.id,
    url: `/media/${m.id}/original`,
    sha256: m.sha256,
    size: m.size,
    mediaType: m.mediaType,
    kind: m.kind,
    extension: m.extension,
    originalName: m.originalName,
    title: m.title,
    alt: m.alt,
    caption: m.caption,
    width: m.width,
    height: m.height,
    animated: m.animated,
    placeholder: m.placeholder,
    replaces: m.previousId,
  };
}

/** Errors leave in the same terms as GraphQL's: `code` (kind), `reason`, `field` (docs/errors.md). */
export function sendError(reply: FastifyReply, e: unknown) {
  if (isAppError(e)) {
    return reply.code(errorKinds[e.kind].http).send({
      error: { code: e.kind, reason: e.reason, message: e.message, ...(e.field ? { field: e.field } : {}) },
    });
  }
  throw e;
}

const FIELDS = new Set(['site', 'title', 'alt', 'caption', 'replaces']);

/**
 * POST /media: one file per request (multipart/form-data; the part named `file`, plus `site` and optional
 * `title`, `alt`, `caption`, `replaces`). The file streams to a temporary file while it is hashed and counted —
 * never whole in memory; past MEDIA_MAX_BYTES the request is cut off with 413. Core then judges the content.
 *
 * GET /media/<id>/<original|rendition>: the bytes, with the headers browsers and caches need (see openMediaFile
 * for who may read what).
 */
export function mediaRoutes(app: FastifyInstance, platform: Platform, ctxFor: (req: FastifyRequest) => Promise<Ctx>) {
  const { config } = platform;
  const tmpDir = mediaTmpDir(config);

  app.post('/media', async (req, reply) => {
    if (!req.isMultipart())
      return sendError(reply, new AppError('INVALID_INPUT', 'Send multipart/form-data', { field: 'file' }));
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `upload-${randomUUID()}`);
    try {
      const { fields, file } = await receiveOneFile(req, tmp, { fields: FIELDS });
      const ctx = await ctxFor(req);
      const media = await uploadMedia(
        ctx,
        {
          site: fields.site ?? '',
          title: fields.title,
          alt: fields.alt,
          caption: fields.caption,
          replaces: fields.replaces || undefined,
        },
        file,
      );
      return reply.code(201).send({ media: mediaJson(media) });
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        return sendError(reply, new AppError('MEDIA_TOO_LARGE', undefined, { field: 'file' }));
      return sendError(reply, e);
    } finally {
      await rm(tmp, { force: true });
    }
  });

  app.get<{ Params: { id: string; variant: string }; Querystring: { exp?: string; sig?: string } }>(
    '/media/:id/:variant',
    async (req, reply) => {
      try {
        const ctx = await ctxFor(req);
        const hostSiteId = platform.directory.byHost(req.hostname)?.id ?? null;
        const f = await openMediaFile(ctx, { ...req.params, hostSiteId, exp: req.query.exp, sig: req.query.sig });
        reply
          .header('content-type', f.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('etag', f.etag)
          .header('accept-ranges', 'bytes')
          .header('content-disposition', contentDisposition(f.inline, f.fileName))
          // The URL names immutable bytes; a file that is not public is never kept by shared caches.
          .header('cache-control', f.public ? 'public, max-age=31536000, immutable' : 'private, no-store')
          .header('content-security-policy', "default-src 'none'; sandbox");
        if (etagMatches(req.headers['if-none-match'], f.etag)) return reply.code(304).send();
        const range = parseRange(req.headers.range, f.size);
        if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${f.size}`).send();
        if (range && (!req.headers['if-range'] || req.headers['if-range'] === f.etag)) {
          reply
            .code(206)
            .header('content-range', `bytes ${range.start}-${range.end}/${f.size}`)
            .header('content-length', range.end - range.start + 1);
          return reply.send(await f.open(range));
        }
        reply.header('content-length', f.size);
        return reply.send(await f.open());
      } catch (e) {
        return sendError(reply, e);
      }
    },
  );
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`); several ranges are served whole (allowed by RFC 9110). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** RFC 6266 / 8187: an ASCII fallback name plus the exact UTF-8 name (Chinese file names survive). */
export function contentDisposition(inline: boolean, name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

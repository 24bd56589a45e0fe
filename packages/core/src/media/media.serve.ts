import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { reachableSiteIds } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { mediaPort } from './media-access.ts';
import { Media } from './media.entity.ts';
import { servedContentType, servedInline } from './media.policy.ts';
import { originalKey, renditionKey } from './media.port.ts';
import { ensureRendition } from './media.process.ts';

export interface ServedFile {
  size: number;
  contentType: string;
  /** Strong ETag: the SHA-256 of exactly these bytes. */
  etag: string;
  fileName: string;
  inline: boolean;
  /** Public files are content-addressed and cached for a year; drafts' files are never stored by caches. */
  public: boolean;
  open(range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new AppError('NOT_FOUND', 'Media not found');

function signature(secret: string, id: string, variant: string, exp: number): string {
  return createHmac('sha256', secret).update(`${id}\n${variant}\n${exp}`).digest('base64url');
}

/** A short-lived URL for previewing a draft's file without credentials (HMAC over id, variant, expiry). */
export function signedMediaPath(ctx: Ctx, id: string, variant = 'original'): string {
  const { settings } = mediaPort(ctx);
  const exp = Math.floor(ctx.now().getTime() / 1000) + settings.signedUrlTtlSeconds;
  return `/media/${id}/${variant}?exp=${exp}&sig=${signature(settings.signingSecret, id, variant, exp)}`;
}

function validSignature(ctx: Ctx, id: string, variant: string, exp?: string, sig?: string): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  if (Number(exp) < ctx.now().getTime() / 1000) return false;
  const want = Buffer.from(signature(mediaPort(ctx).settings.signingSecret, id, variant, Number(exp)));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * Who may fetch a file: anyone, when a published revision of a live item of a public site uses it and the request
 * comes to that site's host (or the API's own host); otherwise a member who can reach the site, or the holder of a
 * valid signed URL. Everything else is NOT_FOUND, like a file that does not exist.
 */
export async function openMediaFile(
  ctx: Ctx,
  args: { id: string; variant: string; hostSiteId?: string | null; exp?: string; sig?: string },
): Promise<ServedFile> {
  if (!UUID.test(args.id)) throw notFound();
  const { id, variant } = args;
  const [pub] = await ctx.unscopedEm.execute<{ site_id: string }[]>('select site_id from zq_public_media(?)', [id]);
  let em: EntityManager | null = null;
  let isPublic = false;
  if (pub && (!args.hostSiteId || args.hostSiteId === pub.site_id)) {
    em = forkForPublicRead(ctx, [pub.site_id]);
    isPublic = true;
  } else if (validSignature(ctx, id, variant, args.exp, args.sig)) {
    em = forkForPublicRead(
      ctx,
      ctx.directory.all().map((e) => e.id),
    );
  } else if (reachableSiteIds(ctx.actor, ctx.directory).length) {
    em = ctx.em;
  }
  const m = em ? await em.findOne(Media, { id, deletedAt: null }) : null;
  if (!m) throw notFound();
  const { storage } = mediaPort(ctx);
  if (variant === 'original') {
    const key = originalKey(m.siteId, m.sha256);
    return {
      size: m.size,
      contentType: servedContentType(m.mediaType, m.extension),
      etag: `"${m.sha256}"`,
      fileName: m.originalName,
      inline: servedInline(m.mediaType),
      public: isPublic,
      open: (range) => storage.read(key, range),
    };
  }
  const r = await ensureRendition({ ...ctx, em: em! } as Ctx, m, variant);
  const key = renditionKey(m.siteId, m.sha256, r.name);
  const base = m.originalName.replace(/\.[^.]*$/, '');
  return {
    size: r.size,
    contentType: r.mediaType,
    etag: `"${r.sha256}"`,
    fileName: `${base}-${r.name}`,
    inline: true,
    public: isPublic,
    open: (range) => storage.read(key, range),
  };
}

import { createHash } from 'node:crypto';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { Platform } from '@zhanqun/adapters';
import type { DirectoryEntry } from '@zhanqun/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_CACHE, strongEtag } from '../routes/http-cache.ts';

const tokenOf = (req: FastifyRequest): string | null => {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer zqt_') ? auth.slice(7) : null;
};
const tokenKey = (token: string) => `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;

/** How long an instance trusts that a token it checked is valid (a revoked token's key lasts at most this). */
const KNOWN_TOKEN_MS = 5 * 60_000;
const MAX_KNOWN_TOKENS = 10_000;

/**
 * Rate-limit keys. A theme's server-side renderer serves many citizens from one address, so keying it by IP would
 * throttle the whole city through one renderer: a caller that presents a valid API token is keyed by (a hash of)
 * that token. A token is valid when `check` says so — once per token per five minutes on an instance, or never
 * when the auth step has just seen it authenticate (`remember`). Made-up tokens are keyed by the client address:
 * otherwise anyone could escape the per-address limit by sending a fresh `zqt_…` on every request (each its own
 * bucket); checking one costs the same index probe auth would spend on it anyway. The token itself is never kept.
 */
export function rateLimitKeys(check: (token: string) => Promise<boolean>) {
  const known = new Map<string, number>();
  const learn = (k: string) => {
    known.delete(k);
    if (known.size >= MAX_KNOWN_TOKENS) known.delete(known.keys().next().value as string);
    known.set(k, Date.now() + KNOWN_TOKEN_MS);
  };
  return {
    async key(req: FastifyRequest): Promise<string> {
      const token = tokenOf(req);
      if (token) {
        const k = tokenKey(token);
        const until = known.get(k);
        if (until !== undefined && until > Date.now()) return k;
        if (await check(token).catch(() => false)) {
          learn(k);
          return k;
        }
        known.delete(k);
      }
      return `ip:${req.ip}`;
    },
    /** The request's API token authenticated: no need to check it again for a while. */
    remember(req: FastifyRequest): void {
      const token = tokenOf(req);
      if (token) learn(tokenKey(token));
    },
  };
}

const parseOrigin = (origin: string): URL | null => {
  try {
    return new URL(origin);
  } catch {
    return null;
  }
};

/** Whether `site` admits a browser origin: one of its own hosts, or an origin in its CORS allow-list. */
function siteAdmits(site: DirectoryEntry, origin: string, url: URL): boolean {
  if (site.status === 'PREPARING') return false;
  return site.hosts.includes(url.hostname.toLowerCase()) || (site.corsOrigins?.includes(origin.toLowerCase()) ?? false);
}

/**
 * Whether the request would carry credentials: an Authorization header, or (a preflight) the browser asking to
 * send one. The API uses no cookies, so a bearer token is the only credential a browser can present.
 */
export const carriesCredentials = (req: FastifyRequest): boolean => {
  if (req.headers.authorization) return true;
  if (req.method !== 'OPTIONS') return false;
  const asked = String(req.headers['access-control-request-headers'] ?? '').toLowerCase();
  return asked.split(',').some((h) => h.trim() === 'authorization');
};

/** The sites a request names before its body is read: its Host (a site's domain) and a `?site=CODE` argument. */
function namedSites(platform: Platform, req: FastifyRequest): DirectoryEntry[] | null {
  const named: DirectoryEntry[] = [];
  const byHost = platform.directory.byHost(req.hostname);
  if (byHost) named.push(byHost);
  const code = (req.query as { site?: unknown } | undefined)?.site;
  if (typeof code === 'string' && code) {
    const byCode = platform.directory.byCode(code);
    // An unknown code admits nobody (the route answers its own 404/403 to same-origin callers).
    if (!byCode) return null;
    named.push(byCode);
  }
  return named;
}

/**
 * Whether a browser origin may call the API with this request (ADR 0031). A request that names a site — its Host
 * is a site's domain, or it carries `?site=CODE` (the REST upload routes) — admits an origin only if every site it
 * names admits it: that site's own hosts and its own allow-list, never another site's. A request to the API's own
 * host (the shared `/graphql`) names no site before its body is parsed: there the union of all public sites' hosts
 * and allow-lists is admitted for requests without credentials only (public reads, anonymous public writes —
 * nothing a server could not fetch anyway), and a request with a bearer token only from a site's own host (a
 * domain the platform assigns, not an origin a site lists). Decided from the site directory in memory.
 */
export function originAllowed(platform: Platform, req: FastifyRequest, origin: string): boolean {
  const url = parseOrigin(origin);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
  const named = namedSites(platform, req);
  if (!named) return false;
  if (named.length) return named.every((s) => siteAdmits(s, origin, url));
  const host = platform.directory.publicByHost(url.hostname);
  if (host) return true;
  if (carriesCredentials(req)) return false;
  const normalised = origin.toLowerCase();
  return platform.directory.all().some((e) => e.status !== 'PREPARING' && e.corsOrigins?.includes(normalised));
}

const appendVary = (reply: FastifyReply, name: string): string => {
  const current = String(reply.getHeader('vary') ?? '');
  const names = current ? current.split(',').map((v) => v.trim()) : [];
  if (!names.some((v) => v.toLowerCase() === name.toLowerCase())) names.push(name);
  return names.join(', ');
};

const isAnonymousGet = (req: FastifyRequest) => req.method === 'GET' && !req.headers.authorization;
/** A server-side renderer's read with its API token: its own cache may keep it briefly; shared caches may not. */
const isApiTokenGet = (req: FastifyRequest) =>
  req.method === 'GET' && req.headers.authorization?.startsWith('Bearer zqt_') === true;
export const TOKEN_READ_CACHE = 'private, max-age=60';

/**
 * HTTP for caches and browsers on /graphql: anonymous public reads over GET get Cache-Control for shared caches,
 * a strong ETag and 304; GETs with an API token (a theme's renderer) `private, max-age=60` with the ETag, for the
 * renderer's own cache; everything else (signed-in people, errors, previews) is `private, no-store`. Then CORS (per-site allow-list) and br/gzip.
 */
export async function deliveryHttp(app: FastifyInstance, platform: Platform) {
  // Registered before compression, so it sees the uncompressed JSON (the ETag is of that representation).
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.routeOptions.url !== '/graphql') return payload;
    reply.header('vary', 'Accept-Encoding, Authorization, Origin');
    const anonymous = isAnonymousGet(req);
    const cacheable = (anonymous || isApiTokenGet(req)) && reply.statusCode === 200 && typeof payload === 'string';
    if (!cacheable || reply.getHeader('cache-control')) {
      if (!reply.getHeader('cache-control')) reply.header('cache-control', 'private, no-store');
      return payload;
    }
    // Errors (partial data too) are not cached by shared caches.
    if (payload.includes('"errors"')) {
      reply.header('cache-control', 'no-store');
      return payload;
    }
    const etag = strongEtag(payload);
    reply.header('cache-control', anonymous ? PUBLIC_CACHE : TOKEN_READ_CACHE).header('etag', etag);
    const given = req.headers['if-none-match'];
    if (given && given.split(',').some((t) => t.trim() === etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });
  const corsOptions = {
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'x-zhanqun-preview'],
    maxAge: 600,
  };
  // Per request (ADR 0031): the answer depends on the Host, `?site=` and whether a token is sent, so responses
  // vary on Origin (added by @fastify/cors) and, outside /graphql (which sets its own Vary), on Authorization.
  await app.register(cors, {
    delegator: (req, cb) => {
      const origin = req.headers.origin;
      cb(null, { ...corsOptions, origin: origin ? originAllowed(platform, req, origin) : false });
    },
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.headers.origin && req.routeOptions.url !== '/graphql')
      reply.header('vary', appendVary(reply, 'Authorization'));
    return payload;
  });
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024 });
}

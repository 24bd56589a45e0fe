/**
 * The theme's only door to the Zhanqun API: GraphQL over plain `fetch`. When `@zhanqun/sdk` is installable
 * (issue 12, built in parallel) this file is the one to switch.
 *
 * Public reads go as GET (the API answers anonymous GETs with `Cache-Control` and a strong ETag). The theme keeps
 * answers in memory as a private HTTP cache: fresh for `max-age` seconds, then revalidated with `If-None-Match`
 * (a 304 reuses the body). Reads with a preview token go as POST and are never kept (the API marks them
 * `private, no-store`). With an API token (THEME_API_TOKEN) every request carries it, so the API's rate limit
 * counts the theme by its token rather than by its address.
 */
export interface GqlError {
  message: string;
  extensions?: { code?: string; reason?: string };
}

export class ApiError extends Error {
  readonly errors: GqlError[];
  constructor(message: string, errors: GqlError[] = []) {
    super(message);
    this.errors = errors;
  }
}

interface Cached {
  etag: string | null;
  body: { data?: unknown; errors?: GqlError[] };
  freshUntil: number;
}

const MAX_ENTRIES = 2_000;

export interface ApiClient {
  /** A public read (cached as HTTP says). */
  read<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A read that must not be cached (previews). */
  readPrivate<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A raw GET of a path on the API (sitemaps, feeds, media), with the site's host name. */
  readonly baseUrl: string;
  /** Counters for tests and the bench: network requests, 304 answers, fresh cache hits. */
  stats: { requests: number; notModified: number; fresh: number };
}

/**
 * How long an answer may be kept, or -1. `private` answers are kept too: this cache belongs to one client, the
 * theme (with THEME_API_TOKEN the API answers its reads `private, max-age=60`: for it alone, not shared caches).
 */
function maxAge(cacheControl: string | null): number {
  if (!cacheControl || /no-store|no-cache/.test(cacheControl)) return -1;
  const m = /(?:^|,)\s*max-age=(\d+)/.exec(cacheControl);
  return m ? Number(m[1]) : 0;
}

export function createApiClient(
  baseUrl: string,
  opts: { timeoutMs?: number; now?: () => number; cache?: boolean; token?: string } = {},
): ApiClient {
  // A server-side renderer's API token: the API then counts the theme's requests by the token, not by the
  // theme's address (which every reader of every site shares) — docs/operations.md#rate-limits.
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const keep = opts.cache ?? true;
  const cache = new Map<string, Cached>();
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const stats = { requests: 0, notModified: 0, fresh: 0 };
  const endpoint = `${baseUrl.replace(/\/$/, '')}/graphql`;

  function unwrap<T>(body: Cached['body']): T {
    if (body.errors?.length && !body.data) throw new ApiError(body.errors[0]?.message ?? 'API error', body.errors);
    if (body.errors?.length) throw new ApiError(body.errors[0]?.message ?? 'API error', body.errors);
    return body.data as T;
  }

  return {
    baseUrl,
    stats,
    async read<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const url = `${endpoint}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
      const hit = cache.get(url);
      if (hit && hit.freshUntil > now()) {
        stats.fresh++;
        return unwrap<T>(hit.body);
      }
      stats.requests++;
      const res = await fetch(url, {
        headers: { accept: 'application/json', ...auth, ...(hit?.etag ? { 'if-none-match': hit.etag } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const age = maxAge(res.headers.get('cache-control'));
      if (res.status === 304 && hit) {
        stats.notModified++;
        hit.freshUntil = now() + Math.max(0, age) * 1000;
        return unwrap<T>(hit.body);
      }
      const body = (await res.json()) as Cached['body'];
      if (!res.ok && !body.data) throw new ApiError(`API answered ${res.status}`, body.errors);
      if (keep && age >= 0 && res.ok) {
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
        cache.set(url, { etag: res.headers.get('etag'), body, freshUntil: now() + age * 1000 });
      }
      return unwrap<T>(body);
    },
    async readPrivate<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      stats.requests++;
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json()) as Cached['body'];
      if (!res.ok && !body.data) throw new ApiError(`API answered ${res.status}`, body.errors);
      return unwrap<T>(body);
    },
  };
}

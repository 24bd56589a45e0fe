import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Ctx, PublicReadPort } from '@zhanqun/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_CACHE, strongEtag } from '../routes/http-cache.ts';
import { TOKEN_READ_CACHE } from './delivery-http.ts';

/**
 * Kept public answers (issue 10, ADR 0028): the serialised GraphQL answer of an anonymous public read, kept by
 * this API instance and served again — without GraphQL execution, JSON building or reading the rows — for as
 * long as every site it was read from still has the content version it had when it was read. That version is
 * read in the very statement that read the rows (the port's `seen` callback), and checked again with one small
 * statement (zq_public_versions) before a kept answer is sent; migration 0025 bumps it in the transaction of any
 * change a public answer could show. So a change made through any instance is seen at once by every instance:
 * nothing here is state another instance would need, only work it can skip.
 *
 * Only answers that touched nothing but the public read port are kept: a request whose resolvers reach for the
 * entity manager, search, media, jobs or any other port is "spoiled" and answered as usual, never kept. So are
 * errors, partial data, previews and every request of a signed-in person. A theme's API token keeps its own
 * answers (keyed by the token), under the same rule.
 */

/** What one kept answer holds; `versions[i]` is the content version of `sites[i]` when it was read. */
interface KeptAnswer {
  body: Buffer;
  etag: string;
  contentType: string;
  sites: string[];
  versions: string[];
  expiresAt: number;
  bytes: number;
  /** The same bytes compressed, made the first time a client accepts them (what @fastify/compress would send). */
  br?: Buffer;
  gzip?: Buffer;
}

/** Below this, answers go uncompressed (the threshold deliveryHttp gives @fastify/compress). */
const COMPRESS_THRESHOLD = 1024;

/** br or gzip when the client accepts it (q > 0), br first, as @fastify/compress chooses; else null. */
export function acceptedEncoding(header: string | string[] | undefined): 'br' | 'gzip' | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of String(header).toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim());
    const q = params.find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  for (const enc of ['br', 'gzip'] as const) {
    const q = accepted.get(enc) ?? accepted.get('*');
    if (q !== undefined && q > 0) return enc;
  }
  return null;
}

/** What one request's answer was read from (per request; absent when the request cannot be kept). */
export class AnswerTrace {
  readonly versions = new Map<string, string>();
  spoiled = false;
  readonly key: string;
  constructor(key: string) {
    this.key = key;
  }
  /** A public read saw `siteId` at `version` (null: the site is not public, or the read found nothing). */
  readonly saw = (siteId: string, version: string | null) => {
    const had = this.versions.get(siteId);
    // Two reads of one site at different versions: a change landed between them; the answer mixes both.
    if (version === null || (had !== undefined && had !== version)) this.spoiled = true;
    else this.versions.set(siteId, version);
  };
  readonly spoil = () => {
    this.spoiled = true;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    answerTrace?: AnswerTrace;
  }
}

/** The request parts a public answer depends on (the actor is anonymous; previews are never kept). */
function keyOf(req: FastifyRequest, reader: string): string | null {
  const raw = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object') return null;
  const { query, variables, operationName, extensions } = raw;
  if (query !== undefined && typeof query !== 'string') return null;
  // GET parameters arrive as JSON text, POST ones as values: normalise both to text.
  const text = (v: unknown) => (v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return `${reader}\n${req.hostname}\n${req.graphqlMedia ?? 'json'}\n${text(operationName)}\n${text(extensions)}\n${text(variables)}\n${query ?? ''}`;
}

/** Most recently used last: a Map keeps insertion order, so the first key is the least recently used. */
class AnswerStore {
  private readonly map = new Map<string, KeptAnswer>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  constructor(maxBytes: number, ttlMs: number) {
    this.maxBytes = maxBytes;
    this.ttlMs = ttlMs;
  }
  get(key: string, now: number): KeptAnswer | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    return e;
  }
  touch(key: string, e: KeptAnswer) {
    this.map.delete(key);
    this.map.set(key, e);
  }
  delete(key: string) {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.bytes -= e.bytes;
  }
  set(key: string, e: Omit<KeptAnswer, 'expiresAt' | 'bytes'>, now: number) {
    // Room for the compressed variants made later (each well under the body's size).
    const bytes = e.body.length * 2 + key.length * 2 + 200;
    if (bytes > this.maxBytes / 8) return; // one answer never takes more than an eighth of the store
    this.delete(key);
    while (this.bytes + bytes > this.maxBytes && this.map.size) this.delete(this.map.keys().next().value!);
    this.map.set(key, { ...e, expiresAt: now + this.ttlMs, bytes });
    this.bytes += bytes;
  }
  get size() {
    return this.map.size;
  }
}

const same = (a: readonly string[], b: readonly (string | null)[]) => a.every((v, i) => v === b[i]);

/**
 * Version checks of the requests that arrive in one turn of the event loop go to PostgreSQL as one statement:
 * under load a round trip (and PostgreSQL's work) serves many kept answers. A check is only ever joined before
 * it is sent, so its snapshot is taken after every request it answers arrived — as fresh as a check of its own.
 */
export function versionBatcher(read: (siteIds: string[]) => Promise<(string | null)[]>) {
  let pending: { sites: Set<string>; waiters: ((v: Map<string, string | null> | Error) => void)[] } | null = null;
  const flush = async () => {
    const batch = pending!;
    pending = null;
    const sites = [...batch.sites];
    let result: Map<string, string | null> | Error;
    try {
      const versions = await read(sites);
      result = new Map(sites.map((s, i) => [s, versions[i] ?? null]));
    } catch (e) {
      result = e instanceof Error ? e : new Error(String(e));
    }
    for (const w of batch.waiters) w(result);
  };
  return (siteIds: readonly string[]): Promise<(string | null)[]> => {
    if (!pending) {
      pending = { sites: new Set(), waiters: [] };
      setImmediate(() => void flush());
    }
    for (const s of siteIds) pending.sites.add(s);
    const batch = pending;
    return new Promise((resolve, reject) => {
      batch.waiters.push((v) => (v instanceof Error ? reject(v) : resolve(siteIds.map((s) => v.get(s) ?? null))));
    });
  };
}

/** The ports of a per-request context through which an answer can be read without being seen by the trace. */
const SPOILING: (keyof Ctx)[] = [
  'em',
  'unscopedEm',
  'search',
  'media',
  'jobs',
  'importer',
  'proofOfWork',
  'html',
  'signAccessToken',
];

/**
 * A request's context whose public reads report the versions they saw to the trace, and whose every other port
 * spoils the trace when it is reached for (so an answer built from anything else is never kept).
 */
export function tracedCtx(ctx: Ctx, reads: PublicReadPort, trace: AnswerTrace): Ctx {
  for (const k of SPOILING) {
    const d = Object.getOwnPropertyDescriptor(ctx, k);
    if (!d) continue;
    const value = () => (d.get ? d.get.call(ctx) : d.value);
    Object.defineProperty(ctx, k, {
      configurable: true,
      enumerable: true,
      get() {
        const v = value();
        // Turning rows already read into entities (`map`) reads nothing; any other use of an entity manager may.
        if ((k === 'em' || k === 'unscopedEm') && v) return mapOnly(v, trace);
        trace.spoil();
        return v;
      },
    });
  }
  ctx.publicReads = {
    items: (a) => reads.items(a, trace.saw),
    item: (id) => reads.item(id, trace.saw),
    route: (siteId, path, slug) => reads.route(siteId, path, slug, trace.saw),
    columns: (ids, siteIds) => reads.columns(ids, siteIds, trace.saw),
    links: (ids, siteIds) => reads.links(ids, siteIds, trace.saw),
    columnNames: (ids) => {
      trace.spoil();
      return reads.columnNames(ids);
    },
    versions: (ids) => reads.versions(ids),
  };
  // Search's labels are asked beside Meilisearch, whose answers the versions do not cover.
  const labels = reads.columnLabels?.bind(reads);
  if (labels)
    ctx.publicReads.columnLabels = (ids) => {
      trace.spoil();
      return labels(ids);
    };
  return ctx;
}

/** An entity manager whose `map` is free and whose every other member spoils the trace. */
function mapOnly<T extends object>(em: T, trace: AnswerTrace): T {
  return new Proxy(em, {
    get(target, prop, receiver) {
      if (prop !== 'map') trace.spoil();
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export interface PublicAnswersOptions {
  reads: PublicReadPort;
  /** Bytes of answers kept by this instance; 0 turns keeping off. */
  maxBytes: number;
  /** A kept answer is dropped after this long even when its versions still hold (time-dependent fields). */
  ttlMs: number;
  path?: string;
}

/**
 * Registers the two halves: `lookup` (a preHandler, after the actor is known) answers from a kept answer whose
 * versions still hold, or marks the request for keeping; an onSend hook (registered here, before compression
 * and the HTTP-cache headers) keeps what a marked request produced.
 */
export function publicAnswers(app: FastifyInstance, opts: PublicAnswersOptions) {
  const path = opts.path ?? '/graphql';
  const store = new AnswerStore(opts.maxBytes, opts.ttlMs);
  const versions = versionBatcher((ids) => opts.reads.versions(ids));
  const enabled = opts.maxBytes > 0;

  app.addHook('onSend', async (req, reply, payload) => {
    const trace = req.answerTrace;
    if (!trace || trace.spoiled || trace.versions.size === 0) return payload;
    if (reply.statusCode !== 200 || typeof payload !== 'string' || payload.includes('"errors"')) return payload;
    const sites = [...trace.versions.keys()];
    store.set(
      trace.key,
      {
        body: Buffer.from(payload),
        etag: strongEtag(payload),
        contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
        sites,
        versions: sites.map((s) => trace.versions.get(s)!),
      },
      Date.now(),
    );
    return payload;
  });

  async function lookup(req: FastifyRequest, reply: FastifyReply) {
    if (!enabled || req.routeOptions.url !== path) return;
    // The public, and a theme's server-side renderer with its API token (kept apart: a token that may see more
    // than the public reads through the entity manager, and such an answer is never kept anyway).
    const actor = req.actor;
    const reader = actor?.kind === 'anonymous' ? '-' : actor?.kind === 'apiToken' ? `token:${actor.tokenId}` : null;
    if (reader === null || req.headers['x-zhanqun-preview']) return;
    if (req.method !== 'GET' && req.method !== 'POST') return;
    const key = keyOf(req, reader);
    if (key === null) return;
    const now = Date.now();
    const kept = store.get(key, now);
    if (kept) {
      let current: (string | null)[] | null = null;
      try {
        current = await versions(kept.sites);
      } catch (err) {
        req.log.warn({ err }, 'content versions unreadable; answering without the kept answer');
      }
      if (current && same(kept.versions, current)) {
        store.touch(key, kept);
        return sendKept(req, reply, kept);
      }
      store.delete(key);
    }
    req.answerTrace = new AnswerTrace(key);
  }

  return { lookup, size: () => store.size };
}

/** The kept bytes with the headers the executed answer had (deliveryHttp's, computed once when it was kept). */
function sendKept(req: FastifyRequest, reply: FastifyReply, kept: KeptAnswer) {
  reply.header('content-type', kept.contentType).header('vary', 'Accept-Encoding, Authorization, Origin');
  if (req.method === 'GET') {
    // What deliveryHttp says of the executed answer: shared caches for the public, the renderer's own for a token.
    reply
      .header('cache-control', req.actor.kind === 'anonymous' ? PUBLIC_CACHE : TOKEN_READ_CACHE)
      .header('etag', kept.etag);
    const given = req.headers['if-none-match'];
    if (given?.split(',').some((t) => t.trim() === kept.etag)) return reply.code(304).send();
  } else {
    reply.header('cache-control', 'private, no-store');
  }
  const encoding = kept.body.length >= COMPRESS_THRESHOLD ? acceptedEncoding(req.headers['accept-encoding']) : null;
  if (!encoding) return reply.send(kept.body);
  // Compressed once per kept answer, not once per request; @fastify/compress leaves an encoded body alone.
  if (encoding === 'br')
    kept.br ??= brotliCompressSync(kept.body, {
      params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 4 },
    });
  else kept.gzip ??= gzipSync(kept.body);
  const body = (encoding === 'br' ? kept.br : kept.gzip)!;
  return reply.header('content-encoding', encoding).header('content-length', body.length).send(body);
}

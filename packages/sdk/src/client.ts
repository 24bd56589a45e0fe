/**
 * The transport: fetch (Node ≥ 20 and browsers), per-request timeouts, retries for reads only, a session that
 * refreshes itself once when the access token has expired, automatic persisted queries, and answers that keep
 * their partial data next to their errors.
 */

/** A typed operation (generated, see src/generated) or a plain query string. */
export interface TypedDocument<TResult, TVariables> {
  toString(): string;
  /** Carries the result and variable types (never set at run time). */
  __apiType?: (variables: TVariables) => TResult;
}
export type Document<TResult = Record<string, unknown>, TVariables = Record<string, unknown>> =
  | TypedDocument<TResult, TVariables>
  | string;
export type ResultOf<D> = D extends TypedDocument<infer R, unknown> ? R : Record<string, unknown>;
export type VariablesOf<D> = D extends TypedDocument<unknown, infer V> ? V : Record<string, unknown>;

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; reason?: string; field?: string; [k: string]: unknown };
}

/** An answer as the API gave it: `data` may be partial when `errors` is not empty (GraphQL keeps what it could). */
export interface ExecutionResult<T> {
  data: T | null;
  errors: GraphQLErrorShape[];
  /** The HTTP status (0 when there was no answer). */
  status: number;
}

export class ZhanqunError extends Error {
  readonly code: string;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  readonly errors: GraphQLErrorShape[];
  readonly status: number;
  /** What the API could answer despite the errors (partial data), or null. */
  readonly data: unknown;

  constructor(errors: GraphQLErrorShape[], status: number, data: unknown = null) {
    const first = errors[0];
    super(first?.message ?? `HTTP ${status}`);
    this.name = 'ZhanqunError';
    this.code = first?.extensions?.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL');
    this.reason = first?.extensions?.reason;
    this.field = first?.extensions?.field;
    this.errors = errors;
    this.status = status;
    this.data = data;
  }
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface ClientOptions {
  /** The API origin, e.g. https://api.example.gov.cn or http://127.0.0.1:4000 */
  url: string;
  /** An access token (from login) or an API token (zqt_…). */
  token?: string;
  /** A session to resume (e.g. kept in a cookie by a server-side renderer). */
  session?: Session;
  /** Called with every new session (login, refresh), to keep it. */
  onSession?: (session: Session | null) => void;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Further attempts for a query (never a mutation) after a network error, timeout, 429 or 502–504 (default 2). */
  retries?: number;
  /** First retry delay in ms, doubled each time, with jitter (default 200). */
  retryDelayMs?: number;
  /**
   * Automatic persisted queries for queries: the hash is sent first (as GET for anonymous reads, so shared caches
   * can answer), the full text only when the API does not know it yet (default false).
   */
  persistedQueries?: boolean;
}

export interface RequestOptions {
  /** Send without credentials (sign-in and refresh must not carry an expired access token). */
  anonymous?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a document's operation is a mutation or subscription (those are never retried nor sent by GET). */
export function isMutation(query: string): boolean {
  const text = query.replace(/"""[\s\S]*?"""|"(?:[^"\\]|\\.)*"|#[^\n]*/g, ' ');
  // An operation keyword at the top level: at the start, or right after a closing brace (a fragment before it).
  const op = /(?:^|\})\s*(query|mutation|subscription)\b/.exec(text);
  return op?.[1] === 'mutation' || op?.[1] === 'subscription';
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class Transport {
  readonly #opts: ClientOptions;
  readonly #endpoint: string;
  readonly #fetch: typeof fetch;
  #token: string | undefined;
  #session: Session | null;
  #refreshing: Promise<Session> | null = null;
  readonly #hashes = new Map<string, string>();

  constructor(opts: ClientOptions) {
    this.#opts = opts;
    this.#endpoint = `${opts.url.replace(/\/$/, '')}/graphql`;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.#session = opts.session ?? null;
    this.#token = opts.session?.accessToken ?? opts.token;
  }

  get session(): Session | null {
    return this.#session;
  }

  adopt(session: Session | null): void {
    this.#session = session;
    this.#token = session?.accessToken ?? this.#opts.token;
    this.#opts.onSession?.(session);
  }

  /** One refresh at a time: a rotated refresh token used twice would revoke the whole session family. */
  refreshWith(run: (refreshToken: string) => Promise<Session>): Promise<Session> {
    if (!this.#session) return Promise.reject(new Error('no session to refresh: log in first'));
    const token = this.#session.refreshToken;
    this.#refreshing ??= run(token)
      .then((s) => {
        this.adopt(s);
        return s;
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  /** Runs an operation; keeps partial data with errors; retries reads; refreshes an expired session once. */
  async execute<T>(
    query: string,
    variables: Record<string, unknown> | undefined,
    opts: RequestOptions & { refresh?: () => Promise<Session> } = {},
  ): Promise<ExecutionResult<T>> {
    const first = await this.#withRetries<T>(query, variables, opts);
    const expired = first.errors.some(
      (e) => e.extensions?.code === 'UNAUTHENTICATED' && e.extensions?.reason === 'TOKEN_EXPIRED',
    );
    if (expired && this.#session && opts.refresh) {
      await opts.refresh();
      return this.#withRetries<T>(query, variables, opts);
    }
    return first;
  }

  async #withRetries<T>(query: string, variables: Record<string, unknown> | undefined, opts: RequestOptions) {
    const read = !isMutation(query);
    const retries = read ? (this.#opts.retries ?? 2) : 0;
    const base = this.#opts.retryDelayMs ?? 200;
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#once<T>(query, variables, opts, read);
      const retryable = result.status === 0 || RETRYABLE_STATUS.has(result.status);
      if (!retryable || attempt >= retries || opts.signal?.aborted) return result;
      await sleep(base * 2 ** attempt * (0.5 + Math.random()));
    }
  }

  async #once<T>(
    query: string,
    variables: Record<string, unknown> | undefined,
    opts: RequestOptions,
    read: boolean,
  ): Promise<ExecutionResult<T>> {
    if (read && this.#opts.persistedQueries) {
      let hash = this.#hashes.get(query);
      if (!hash) {
        hash = await sha256Hex(query);
        this.#hashes.set(query, hash);
      }
      const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
      const byHash = await this.#send<T>({ variables, extensions }, opts, !this.#token || !!opts.anonymous);
      if (!byHash.errors.some((e) => e.message === 'PersistedQueryNotFound')) return byHash;
      return this.#send<T>({ query, variables, extensions }, opts, false);
    }
    return this.#send<T>({ query, variables }, opts, false);
  }

  async #send<T>(
    body: { query?: string; variables?: Record<string, unknown>; extensions?: unknown },
    opts: RequestOptions,
    asGet: boolean,
  ): Promise<ExecutionResult<T>> {
    const headers: Record<string, string> = {
      accept: 'application/graphql-response+json, application/json',
      ...(this.#token && !opts.anonymous ? { authorization: `Bearer ${this.#token}` } : {}),
      ...this.#opts.headers,
      ...opts.headers,
    };
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.#opts.timeoutMs ?? 10_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let url = this.#endpoint;
    const init: RequestInit = { method: 'POST', headers, signal };
    if (asGet) {
      const params = new URLSearchParams();
      if (body.query) params.set('query', body.query);
      if (body.variables) params.set('variables', JSON.stringify(body.variables));
      if (body.extensions) params.set('extensions', JSON.stringify(body.extensions));
      url = `${url}?${params}`;
      init.method = 'GET';
    } else {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.#fetch(url, init);
    } catch (err) {
      const message = timeout.aborted ? 'The request timed out' : `Network error: ${(err as Error).message}`;
      return {
        data: null,
        errors: [{ message, extensions: { code: timeout.aborted ? 'TIMEOUT' : 'NETWORK' } }],
        status: 0,
      };
    }
    const json = (await res.json().catch(() => ({}))) as { data?: T | null; errors?: GraphQLErrorShape[] };
    const errors = json.errors ?? (res.ok || json.data ? [] : [{ message: `HTTP ${res.status}` }]);
    return { data: json.data ?? null, errors, status: res.status };
  }
}

/**
 * @zhanqun/sdk — a small typed client for themes and migration scripts. It speaks plain GraphQL over HTTP to
 * `/graphql`, turns errors into `ZhanqunError` with the stable `code` / `reason` / `field` of docs/errors.md,
 * and keeps a session fresh with the rotating refresh token.
 */

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; reason?: string; field?: string; [k: string]: unknown };
}

export class ZhanqunError extends Error {
  readonly code: string;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  readonly errors: GraphQLErrorShape[];
  readonly status: number;

  constructor(errors: GraphQLErrorShape[], status: number) {
    const first = errors[0];
    super(first?.message ?? `HTTP ${status}`);
    this.name = 'ZhanqunError';
    this.code = first?.extensions?.code ?? 'INTERNAL';
    this.reason = first?.extensions?.reason;
    this.field = first?.extensions?.field;
    this.errors = errors;
    this.status = status;
  }
}

export interface ClientOptions {
  /** The API origin, e.g. http://127.0.0.1:4000 */
  url: string;
  /** An access token (from login) or an API token (zqt_…). */
  token?: string;
  /** Extra headers, e.g. a Host for host-based site resolution. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const SESSION_FIELDS = 'accessToken refreshToken expiresIn';

export interface ZhanqunClient {
  /** Runs one operation; resolves `data`, rejects with ZhanqunError when the response has errors. */
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Signs in and uses the new access token for later requests. */
  login(email: string, password: string): Promise<Session>;
  /** Rotates the refresh token; the old one is spent (reusing it revokes the whole session family). */
  refresh(): Promise<Session>;
  logout(): Promise<void>;
  readonly session: Session | null;
}

export function createClient(opts: ClientOptions): ZhanqunClient {
  const doFetch = opts.fetch ?? fetch;
  const endpoint = `${opts.url.replace(/\/$/, '')}/graphql`;
  let token = opts.token;
  let session: Session | null = null;

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await doFetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: GraphQLErrorShape[] };
    if (body.errors?.length || !body.data) throw new ZhanqunError(body.errors ?? [], res.status);
    return body.data;
  }

  const adopt = (s: Session) => {
    session = s;
    token = s.accessToken;
    return s;
  };

  return {
    request,
    async login(email, password) {
      const d = await request<{ login: Session }>(
        `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${SESSION_FIELDS} } }`,
        { e: email, p: password },
      );
      return adopt(d.login);
    },
    async refresh() {
      if (!session) throw new Error('no session to refresh: log in first');
      const d = await request<{ refreshSession: Session }>(
        `mutation($r: String!) { refreshSession(refreshToken: $r) { ${SESSION_FIELDS} } }`,
        { r: session.refreshToken },
      );
      return adopt(d.refreshSession);
    },
    async logout() {
      if (session) await request('mutation($r: String!) { logout(refreshToken: $r) }', { r: session.refreshToken });
      session = null;
      token = opts.token;
    },
    get session() {
      return session;
    },
  };
}

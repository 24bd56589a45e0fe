/**
 * @zhanqun/sdk — a typed client for themes and migration scripts. GraphQL over HTTP to `/graphql` with fetch (Node
 * ≥ 20 and browsers), typed operations generated from docs/schema.graphql (GraphQL Code Generator, ADR 0020),
 * errors as `ZhanqunError` with the stable `code` / `reason` / `field` of docs/errors.md and the partial data kept,
 * a session that refreshes itself, timeouts, retries for reads, automatic persisted queries, and `route()`.
 */
import {
  type ClientOptions,
  type Document,
  type ExecutionResult,
  type RequestOptions,
  type Session,
  Transport,
  ZhanqunError,
} from './client.ts';
import {
  LoginDocument,
  LogoutDocument,
  RefreshSessionDocument,
  RouteDocument,
  type RouteQuery,
  type RouteQueryVariables,
} from './generated/graphql.ts';

export * from './client.ts';
export * from './generated/graphql.ts';

/** The page union `route()` answers with (discriminated by `__typename`). */
export type RoutePage = RouteQuery['route'];
export type RoutePageOf<K extends RoutePage['__typename']> = Extract<RoutePage, { __typename: K }>;

export interface RouteOptions extends RequestOptions {
  /** Page size of a column's (or the home page's) item list, and the cursor to continue after. */
  first?: number;
  after?: string;
  /** Column pages: also list the items of the columns below. */
  descendants?: boolean;
  /** A preview token (previewToken mutation) to show a draft; such answers are private. */
  preview?: string;
}

export interface ZhanqunClient {
  /** Runs one operation; resolves `data`, rejects with ZhanqunError (with `.data`: the partial data) on errors. */
  request<TResult = Record<string, unknown>, TVariables = Record<string, unknown>>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    opts?: RequestOptions,
  ): Promise<TResult>;
  /** Runs one operation and returns data and errors as they came: partial data is kept next to its errors. */
  execute<TResult = Record<string, unknown>, TVariables = Record<string, unknown>>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    opts?: RequestOptions,
  ): Promise<ExecutionResult<TResult>>;
  /**
   * One page of a site by host name and URL path, in one round trip: home, column, item, closed site, redirect
   * (301 with `location`), gone (410) or not found (404). Answer the browser with the page's `status`.
   */
  route(host: string, path: string, opts?: RouteOptions): Promise<RoutePage>;
  /** Signs in; later requests carry the new access token, which is refreshed when it expires. */
  login(email: string, password: string): Promise<Session>;
  /** Rotates the refresh token; the old one is spent (reusing it revokes the whole session family). */
  refresh(): Promise<Session>;
  logout(): Promise<void>;
  readonly session: Session | null;
}

export function createClient(opts: ClientOptions): ZhanqunClient {
  const transport = new Transport(opts);

  const refresh = () =>
    transport.refreshWith(async (refreshToken) => {
      const r = await transport.execute<{ refreshSession: Session }>(
        String(RefreshSessionDocument),
        { refreshToken },
        { anonymous: true },
      );
      if (r.errors.length || !r.data) {
        transport.adopt(null);
        throw new ZhanqunError(r.errors, r.status, r.data);
      }
      return r.data.refreshSession;
    });

  async function execute<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    ro: RequestOptions = {},
  ): Promise<ExecutionResult<TResult>> {
    return transport.execute<TResult>(String(document), variables as Record<string, unknown> | undefined, {
      ...ro,
      refresh,
    });
  }

  async function request<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    ro?: RequestOptions,
  ): Promise<TResult> {
    const r = await execute(document, variables, ro);
    if (r.errors.length > 0 || !r.data) throw new ZhanqunError(r.errors, r.status, r.data);
    return r.data;
  }

  return {
    request,
    execute,
    async route(host, path, ro = {}) {
      const { first, after, descendants, preview, ...rest } = ro;
      const vars: RouteQueryVariables = { host, path, first, after, descendants, preview };
      const data = await request(RouteDocument, vars, rest);
      return data.route;
    },
    async login(email, password) {
      const d = await request(LoginDocument, { email, password }, { anonymous: true });
      transport.adopt(d.login);
      return d.login;
    },
    refresh,
    async logout() {
      const s = transport.session;
      if (s) await request(LogoutDocument, { refreshToken: s.refreshToken });
      transport.adopt(null);
    },
    get session() {
      return transport.session;
    },
  };
}

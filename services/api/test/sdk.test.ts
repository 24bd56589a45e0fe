import { createClient, MeDocument, type RoutePageOf, type Session, ZhanqunError } from '@zhanqun/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let url: string;
let itemId: string;

beforeAll(async () => {
  t = await startTestApp();
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  itemId = await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'sdk-notice', title: 'SDK 通知' });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('@zhanqun/sdk against the running API', () => {
  it('logs in, queries, refreshes and logs out', async () => {
    const client = createClient({ url });
    await client.login(demo.admin('miyi'), 'Zhanqun#Demo2026');
    const data = await client.request<{ me: { user: { email: string } } }>('{ me { user { email } } }');
    expect(data.me.user.email).toBe(demo.admin('miyi'));
    const first = client.session!.refreshToken;
    await client.refresh();
    expect(client.session!.refreshToken).not.toBe(first);
    await client.logout();
    expect(client.session).toBeNull();
  });

  it('raises errors with their stable code, reason and field', async () => {
    const client = createClient({ url });
    const err = await client.login('nobody@x.cn', 'wrong').catch((e) => e);
    expect(err).toBeInstanceOf(ZhanqunError);
    expect([err.code, err.reason]).toEqual(['UNAUTHENTICATED', 'INVALID_CREDENTIALS']);
  });

  it('lets themes name the site by host name (Host header)', async () => {
    // fetch() will not set Host, so this goes through inject, as a reverse proxy would send it.
    const ask = (host: string) =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { host },
        payload: { query: '{ items(first: 1) { edges { cursor } } }' },
      });
    // The item published in the set-up is miyi's only one.
    expect((await ask('miyi.localhost')).json().data.items.edges).toHaveLength(1);
    const unknown = (await ask('elsewhere.example')).json();
    expect(unknown.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'site' });
  });
});

/** A fetch that counts calls and can fail or stall the first ones, in front of the real one. */
function flakyFetch(plan: ('fail' | 'stall' | 'pass')[]) {
  const calls: { method: string; url: string }[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ method: init?.method ?? 'GET', url: String(input) });
    const step = plan.shift() ?? 'pass';
    if (step === 'fail') throw new TypeError('fetch failed');
    if (step === 'stall')
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
      );
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: f, calls };
}

describe('@zhanqun/sdk: typed operations and route()', () => {
  it('route() answers a typed page union for home, item and redirect', async () => {
    const client = createClient({ url });
    const home = await client.route('miyi.localhost', '/');
    expect(home.__typename).toBe('HomePage');
    const item = (await client.route('miyi.localhost', '/zwdt/tzgg/sdk-notice.html')) as RoutePageOf<'ItemPage'>;
    expect(item.__typename).toBe('ItemPage');
    expect([item.status, item.item.id, item.item.title, item.meta.ArticleTitle]).toEqual([
      200,
      itemId,
      'SDK 通知',
      'SDK 通知',
    ]);
    expect(item.site.footer.siteIdCode).toBeTruthy();
    const moved = await client.route('miyi.localhost', '/zwdt/tzgg');
    expect(moved).toMatchObject({ __typename: 'RedirectPage', status: 301, location: '/zwdt/tzgg/' });
    const missing = await client.route('miyi.localhost', '/no/such/page.html');
    expect(missing).toMatchObject({ __typename: 'NotFoundPage', status: 404 });
  });

  it('keeps partial data next to the errors', async () => {
    const client = createClient({ url });
    await client.login(demo.admin('miyi'), 'Zhanqun#Demo2026');
    // A foreign site's members are null with FORBIDDEN; the rest of the answer is still there.
    const query = '{ me { user { email } } site(code: "edu") { name members { id } } }';
    const r = await client.execute<{ me: { user: { email: string } }; site: { name: string; members: null } }>(query);
    expect(r.data?.me.user.email).toBe(demo.admin('miyi'));
    expect(r.data?.site).toEqual({ name: '攀枝花市教育局', members: null });
    expect(r.errors[0]?.extensions?.code).toBe('FORBIDDEN');
    const err = await client.request(query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZhanqunError);
    expect((err as ZhanqunError).data).toMatchObject({ site: { name: '攀枝花市教育局' } });
  });

  it('refreshes an expired access token once and retries the request', async () => {
    const seed = createClient({ url });
    const live = await seed.login(demo.editor('miyi'), 'Zhanqun#Demo2026');
    const claims = t.app.jwt.decode<{ sub: string; sv: number }>(live.accessToken)!;
    const past = Math.floor(Date.now() / 1000) - 600;
    const expired = t.app.jwt.sign({ sub: claims.sub, sv: claims.sv, iat: past, exp: past + 60 });
    const seen: (Session | null)[] = [];
    const client = createClient({
      url,
      session: { accessToken: expired, refreshToken: live.refreshToken, expiresIn: 0 },
      onSession: (s) => seen.push(s),
    });
    const me = await client.request(MeDocument);
    expect(me.me?.user.email).toBe(demo.editor('miyi'));
    expect(seen).toHaveLength(1);
    expect(client.session!.refreshToken).not.toBe(live.refreshToken);
    expect(client.session!.accessToken).not.toBe(expired);
  });

  it('retries reads after a network error, never mutations', async () => {
    const reads = flakyFetch(['fail', 'fail']);
    const client = createClient({ url, fetch: reads.fetch, retryDelayMs: 1 });
    expect((await client.route('miyi.localhost', '/')).__typename).toBe('HomePage');
    expect(reads.calls).toHaveLength(3);
    const writes = flakyFetch(['fail']);
    const writer = createClient({ url, fetch: writes.fetch, retryDelayMs: 1 });
    const err = await writer.login(demo.editor('miyi'), 'Zhanqun#Demo2026').catch((e: unknown) => e);
    expect((err as ZhanqunError).code).toBe('NETWORK');
    expect(writes.calls).toHaveLength(1);
  });

  it('gives up on an answer that does not come within the timeout', async () => {
    const stalled = flakyFetch(['stall']);
    const client = createClient({ url, fetch: stalled.fetch, timeoutMs: 200, retries: 0 });
    const err = await client.route('miyi.localhost', '/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZhanqunError);
    expect((err as ZhanqunError).code).toBe('TIMEOUT');
  });

  it('sends reads as automatic persisted queries: the hash first (GET), the text only once', async () => {
    const first = flakyFetch([]);
    const client = createClient({ url, fetch: first.fetch, persistedQueries: true });
    expect((await client.route('miyi.localhost', '/zwdt/tzgg/')).__typename).toBe('ColumnPage');
    expect(first.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(first.calls[0]!.url).toContain('persistedQuery');
    expect(first.calls[0]!.url).not.toContain('query=');
    // Another client (another renderer process) finds the query registered: one GET, by hash alone.
    const second = flakyFetch([]);
    const other = createClient({ url, fetch: second.fetch, persistedQueries: true });
    expect((await other.route('miyi.localhost', '/zwdt/tzgg/')).__typename).toBe('ColumnPage');
    expect(second.calls.map((c) => c.method)).toEqual(['GET']);
  });
});

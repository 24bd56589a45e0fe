/**
 * Issue 12, HTTP for caches and browsers: anonymous GraphQL reads over GET with Cache-Control, strong ETag and
 * 304; br/gzip; automatic persisted queries stored in PostgreSQL (a second API instance knows them); CORS
 * allow-list per site; rate limits keyed by API token; searchKey hands out the public Meilisearch address.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { rateLimitKeys } from '../src/plugins/delivery-http.ts';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const HOME =
  '{ route(host: "www.miyi.gov.cn", path: "/") { __typename ... on HomePage { navigation { name url children { name url } } } } }';
const getQuery = (query: string, headers: Record<string, string> = {}, extensions?: unknown) =>
  t.app.inject({
    method: 'GET',
    url: '/graphql',
    query: { query, ...(extensions ? { extensions: JSON.stringify(extensions) } : {}) },
    headers,
  });

beforeAll(async () => {
  t = await startTestApp({ search: true, env: { MEILI_PUBLIC_URL: 'https://search.zhanqun.example.gov.cn' } });
});

afterAll(async () => {
  await t?.close();
});

describe('anonymous public reads over GET', () => {
  it('carry Cache-Control for shared caches, a strong ETag, Vary, and answer 304 when unchanged', async () => {
    const r = await getQuery(HOME);
    expect(r.statusCode).toBe(200);
    expect(r.json().data.route.__typename).toBe('HomePage');
    expect(r.headers['cache-control']).toBe('public, max-age=60, s-maxage=300, stale-while-revalidate=600');
    expect(r.headers.etag).toMatch(/^"[\w-]{20,}"$/);
    expect(String(r.headers.vary)).toMatch(/Accept-Encoding/);
    const again = await getQuery(HOME, { 'if-none-match': r.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('are never cached for a signed-in caller, nor when they carry errors', async () => {
    const token = await t.tokenFor(demo.editor('miyi'));
    const r = await getQuery(HOME, { authorization: `Bearer ${token}` });
    expect(r.headers['cache-control']).toBe('private, no-store');
    expect(r.headers.etag).toBeUndefined();
    const bad = await getQuery('{ route(host: "www.miyi.gov.cn", path: "/", first: 1000) { __typename } }');
    expect(bad.headers['cache-control']).toMatch(/no-store/);
    expect(bad.headers.etag).toBeUndefined();
  });

  it('with an API token (a theme renderer) may be kept by the renderer alone: private, max-age, ETag and 304', async () => {
    const admin = await t.tokenFor(demo.admin('miyi'));
    const created = await t.gql(
      'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "主题", scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
      { e: new Date(Date.now() + 86_400_000).toISOString() },
      admin,
    );
    const auth = { authorization: `Bearer ${created.data!.createApiToken.token}` };
    const r = await getQuery(HOME, auth);
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('private, max-age=60');
    expect(r.headers.etag).toMatch(/^"[\w-]{20,}"$/);
    expect(String(r.headers.vary)).toMatch(/Authorization/);
    const again = await getQuery(HOME, { ...auth, 'if-none-match': r.headers.etag as string });
    expect(again.statusCode).toBe(304);
    // A bad token is refused, not cached.
    const bad = await getQuery(HOME, { authorization: 'Bearer zqt_not_a_token' });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['cache-control']).toBe('private, no-store');
  });

  it('are compressed with br or gzip when the client accepts it', async () => {
    const br = await getQuery(HOME, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    const json = JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8'));
    expect(json.data.route.navigation.length).toBeGreaterThan(3);
    const gz = await getQuery(HOME, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
  });
});

describe('automatic persisted queries', () => {
  it('store the query in PostgreSQL, so another API instance answers by hash alone', async () => {
    const sha256Hash = createHash('sha256').update(HOME).digest('hex');
    const ext = { persistedQuery: { version: 1, sha256Hash } };
    const miss = await getQuery('', {}, ext);
    expect(miss.json().errors[0].message).toBe('PersistedQueryNotFound');
    const register = await t.app.inject({ method: 'POST', url: '/graphql', payload: { query: HOME, extensions: ext } });
    expect(register.json().data.route.__typename).toBe('HomePage');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ me { name } }', extensions: ext },
    });
    expect(wrong.json().errors[0].message).toMatch(/sha does not match/);
    const other = await buildApp(t.platform, { logger: false });
    try {
      const hit = await other.inject({
        method: 'GET',
        url: '/graphql',
        query: { extensions: JSON.stringify(ext) },
      });
      expect(hit.json().data.route.__typename).toBe('HomePage');
      expect(hit.headers['cache-control']).toMatch(/s-maxage/);
    } finally {
      await other.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    t.app.inject({
      method: 'OPTIONS',
      url: '/graphql',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('admits the hosts of public sites and each site’s allow-list, nobody else', async () => {
    expect((await preflight('https://www.miyi.gov.cn')).headers['access-control-allow-origin']).toBe(
      'https://www.miyi.gov.cn',
    );
    expect((await preflight('https://evil.example.com')).headers['access-control-allow-origin']).toBeUndefined();
    const platform = await t.tokenFor(demo.platformAdmin);
    const set = await t.gql(
      'mutation { updateSiteDelivery(input: { site: "miyi", corsOrigins: ["https://theme.miyi.example.cn:8443"] }) { corsOrigins } }',
      {},
      platform,
    );
    expect(set.data!.updateSiteDelivery.corsOrigins).toEqual(['https://theme.miyi.example.cn:8443']);
    expect((await preflight('https://theme.miyi.example.cn:8443')).headers['access-control-allow-origin']).toBe(
      'https://theme.miyi.example.cn:8443',
    );
    const bad = await t.gql(
      'mutation { updateSiteDelivery(input: { site: "miyi", corsOrigins: ["https://x.example/path"] }) { code } }',
      {},
      platform,
    );
    expect(bad.errors?.[0]?.extensions.field).toBe('corsOrigins.0');
  });

  it('answers the actual request with the origin it admits, and forgets an origin taken off the list', async () => {
    const platform = await t.tokenFor(demo.platformAdmin);
    const origin = 'https://app.miyi.example.cn';
    const set = (corsOrigins: string[]) =>
      t.gql(
        'mutation($o: [String!]!) { updateSiteDelivery(input: { site: "miyi", corsOrigins: $o }) { corsOrigins } }',
        { o: corsOrigins },
        platform,
      );
    expect((await set([origin])).errors).toBeUndefined();
    const r = await getQuery(HOME, { origin });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(String(r.headers.vary)).toMatch(/Origin/);
    // No cookies cross origins: the API authenticates by bearer token only.
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await set([])).errors).toBeUndefined();
    const after = await getQuery(HOME, { origin });
    expect(after.headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS per site (ADR 0031)', () => {
  const listed = 'https://app.miyi.example.cn';
  const preflight = (origin: string, opts: { host?: string; url?: string; headers?: string; method?: string } = {}) =>
    t.app.inject({
      method: 'OPTIONS',
      url: opts.url ?? '/graphql',
      headers: {
        origin,
        ...(opts.host ? { host: opts.host } : {}),
        'access-control-request-method': opts.method ?? 'POST',
        'access-control-request-headers': opts.headers ?? 'content-type',
      },
    });
  const allowed = (r: { headers: Record<string, unknown> }) => r.headers['access-control-allow-origin'];

  beforeAll(async () => {
    const platform = await t.tokenFor(demo.platformAdmin);
    const set = await t.gql(
      'mutation($o: [String!]!) { updateSiteDelivery(input: { site: "miyi", corsOrigins: $o }) { corsOrigins } }',
      { o: [listed] },
      platform,
    );
    expect(set.errors).toBeUndefined();
  });
  afterAll(async () => {
    const platform = await t.tokenFor(demo.platformAdmin);
    await t.gql(
      'mutation { updateSiteDelivery(input: { site: "miyi", corsOrigins: [] }) { corsOrigins } }',
      {},
      platform,
    );
  });

  it('refuses on site B’s host an origin only site A lists, preflight and actual request, and admits it on A’s', async () => {
    const onEdu = await preflight(listed, { host: 'edu.localhost' });
    expect(allowed(onEdu)).toBeUndefined();
    expect(String(onEdu.headers.vary)).toMatch(/Origin/);
    const onMiyi = await preflight(listed, { host: 'miyi.localhost' });
    expect(onMiyi.statusCode).toBe(204);
    expect(allowed(onMiyi)).toBe(listed);
    expect(String(onMiyi.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect(String(onMiyi.headers.vary)).toMatch(/Origin/);
    const actualOnEdu = await getQuery(HOME, { origin: listed, host: 'edu.localhost' });
    expect(actualOnEdu.statusCode).toBe(200);
    expect(allowed(actualOnEdu)).toBeUndefined();
    expect(String(actualOnEdu.headers.vary)).toMatch(/Origin/);
    const actualOnMiyi = await getQuery(HOME, { origin: listed, host: 'miyi.localhost' });
    expect(allowed(actualOnMiyi)).toBe(listed);
    // A site's host admits its own other hosts, not another site's.
    expect(allowed(await preflight('https://www.miyi.gov.cn', { host: 'miyi.localhost' }))).toBe(
      'https://www.miyi.gov.cn',
    );
    expect(allowed(await preflight('https://www.miyi.gov.cn', { host: 'edu.localhost' }))).toBeUndefined();
  });

  it('on a REST route that names a site with ?site=, admits only that site’s origins', async () => {
    const url = (site: string) => `/imports/uploads?site=${site}`;
    expect(allowed(await preflight(listed, { url: url('miyi'), headers: 'authorization' }))).toBe(listed);
    expect(allowed(await preflight(listed, { url: url('edu'), headers: 'authorization' }))).toBeUndefined();
    expect(allowed(await preflight(listed, { url: url('nosuchsite') }))).toBeUndefined();
    // Host and ?site= both name a site: both must admit the origin.
    expect(allowed(await preflight(listed, { url: url('miyi'), host: 'edu.localhost' }))).toBeUndefined();
  });

  it('on the API host, admits a listed origin for requests without credentials only', async () => {
    expect(allowed(await preflight(listed))).toBe(listed);
    expect(allowed(await preflight(listed, { headers: 'content-type, authorization' }))).toBeUndefined();
    const token = await t.tokenFor(demo.editor('miyi'));
    const withToken = await getQuery(HOME, { origin: listed, authorization: `Bearer ${token}` });
    expect(withToken.statusCode).toBe(200);
    expect(allowed(withToken)).toBeUndefined();
    expect(String(withToken.headers.vary)).toMatch(/Origin/);
    // A site's own host (a domain the platform assigns) may send a token to the API host.
    expect(allowed(await preflight('https://www.miyi.gov.cn', { headers: 'authorization' }))).toBe(
      'https://www.miyi.gov.cn',
    );
    const ownWithToken = await getQuery(HOME, { origin: 'https://www.miyi.gov.cn', authorization: `Bearer ${token}` });
    expect(allowed(ownWithToken)).toBe('https://www.miyi.gov.cn');
  });

  it('varies REST answers on Origin and Authorization', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/imports/uploads?site=miyi', headers: { origin: listed } });
    expect(allowed(r)).toBe(listed);
    expect(String(r.headers.vary)).toMatch(/Origin/);
    expect(String(r.headers.vary)).toMatch(/Authorization/);
  });
});

describe('rate limits', () => {
  it('are keyed by a valid API token, by address for made-up tokens and everyone else', async () => {
    const valid = new Set(['zqt_aaaaaaaa', 'zqt_bbbbbbbb']);
    const checked: string[] = [];
    const keys = rateLimitKeys(async (token) => {
      checked.push(token);
      return valid.has(token);
    });
    const req = (authorization?: string) =>
      ({ ip: '10.0.0.7', headers: authorization ? { authorization } : {} }) as unknown as FastifyRequest;
    const a = await keys.key(req('Bearer zqt_aaaaaaaa'));
    const b = await keys.key(req('Bearer zqt_bbbbbbbb'));
    expect(a).toMatch(/^token:[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('aaaaaaaa');
    // Checked once, then known for a while (no look-up per request).
    expect(await keys.key(req('Bearer zqt_aaaaaaaa'))).toBe(a);
    expect(checked).toEqual(['zqt_aaaaaaaa', 'zqt_bbbbbbbb']);
    // A made-up token counts against the address (rate-limit-tokens.test.ts shows it end to end).
    expect(await keys.key(req('Bearer zqt_cccccccc'))).toBe('ip:10.0.0.7');
    // A token auth has just seen authenticate needs no check.
    keys.remember(req('Bearer zqt_dddddddd'));
    expect(await keys.key(req('Bearer zqt_dddddddd'))).toMatch(/^token:/);
    expect(checked).not.toContain('zqt_dddddddd');
    expect(await keys.key(req())).toBe('ip:10.0.0.7');
  });
});

describe('searchKey', () => {
  it('hands out the configured public Meilisearch address, not the internal one', async () => {
    const r = await t.gql('{ searchKey(site: "miyi") { host } }');
    expect(r.data!.searchKey.host).toBe('https://search.zhanqun.example.gov.cn');
  });
});

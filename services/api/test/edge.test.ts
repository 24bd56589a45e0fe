import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_COMPLEXITY: '5000' } });
});
afterAll(async () => {
  await t?.close();
});

describe('the HTTP edge', () => {
  it('answers /health and /ready', async () => {
    expect((await t.app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/ready?checks=postgres')).json().required).toEqual(['postgres']);
    const ready = await t.app.inject('/ready');
    expect([ready.statusCode, ready.json()]).toEqual([
      200,
      { status: 'ready', checks: { postgres: true, meilisearch: true }, required: ['postgres', 'meilisearch'] },
    ]);
  });

  it('maps invalid queries and variables to BAD_USER_INPUT', async () => {
    expect(codeOf(await t.gql('{ nosuchfield }'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql('query($n: Int!) { sites(first: $n) { edges { cursor } } }', { n: 'many' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await t.gql('{'))).toBe('BAD_USER_INPUT');
  });

  it('names the offending field of bad input', async () => {
    const token = await t.tokenFor(demo.admin('miyi'));
    const r = await t.gql('mutation { createColumn(input: { site: "miyi", code: "ok", name: "" }) { id } }', {}, token);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_INPUT', field: 'name' });
  });

  it('refuses queries that are too deep or too costly', async () => {
    const deep =
      '{ site(code: "miyi") { parent { children { parent { children { parent { children { parent { code } } } } } } } } }';
    expect(codeOf(await t.gql(deep))).toBe('BAD_USER_INPUT');
    const costly = '{ sites(first: 100) { edges { node { columns { children { children { code } } } } } } }';
    const r = await t.gql(costly);
    expect([codeOf(r), reasonOf(r)]).toEqual(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']);
  });

  it('hides internal failures behind INTERNAL with the request id', async () => {
    const token = await t.tokenFor(demo.platformAdmin);
    // Closing the ORM mid-flight makes the next database call fail unexpectedly.
    const { em } = t.platform.orm;
    const original = em.fork;
    (em as { fork: unknown }).fork = () => {
      throw new Error('secret detail: connection string postgres://…');
    };
    try {
      const r = await t.gql('{ sites { edges { cursor } } }', {}, token);
      expect(r.errors![0]!.extensions.code).toBe('INTERNAL');
      expect(r.errors![0]!.message).toBe('Internal error');
      expect(JSON.stringify(r)).not.toContain('secret detail');
    } finally {
      (em as { fork: unknown }).fork = original;
    }
  });

  it('rate-limits per client in the GraphQL error shape', async () => {
    const { buildApp } = await import('../src/app.ts');
    const strict = await buildApp(
      { ...t.platform, config: { ...t.platform.config, RATE_LIMIT_PER_MINUTE: 2 } },
      { logger: false },
    );
    const hit = () =>
      strict.inject({ method: 'POST', url: '/graphql', payload: { query: '{ me { platformAdmin } }' } });
    await hit();
    await hit();
    const third = await hit();
    expect(third.statusCode).toBe(429);
    expect(third.json().errors[0].extensions.code).toBe('RATE_LIMITED');
    await strict.close();
  });

  /**
   * The directory cache expiring mid-request makes Mercurius build the context again; when that load fails, the
   * error escaped GraphQL and Fastify's default handler answered with the raw message. Forced here, every time:
   * the directory's reload throws, and every edge (GraphQL, the REST edges, hooks) must answer the generic masked
   * error with its stable code and the request id — never the raw message.
   */
  it('masks internal failures raised while building the context, in hooks and in REST edges', async () => {
    const dir = t.platform.directory;
    const original = dir.fresh.bind(dir);
    const SECRET = 'secret detail: postgres://owner:pw@db';
    (dir as { fresh: unknown }).fresh = async () => {
      throw new Error(SECRET);
    };
    try {
      const requests = [
        { method: 'POST' as const, url: '/graphql', payload: { query: '{ sites { edges { cursor } } }' } },
        { method: 'GET' as const, url: '/graphql?query=%7B%20me%20%7B%20platformAdmin%20%7D%20%7D' },
        { method: 'GET' as const, url: '/feeds/rss.xml', headers: { host: 'www.miyi.gov.cn' } },
        { method: 'GET' as const, url: '/sitemap.xml', headers: { host: 'www.miyi.gov.cn' } },
        { method: 'GET' as const, url: '/media/00000000-0000-4000-8000-000000000000/original' },
      ];
      for (const req of requests) {
        const res = await t.app.inject({ ...req, headers: { 'x-request-id': 'leak-check-1', ...req.headers } });
        expect([req.url, res.statusCode]).toEqual([req.url, 500]);
        expect(res.body).not.toContain('secret detail');
        const body = res.json();
        const error = body.errors?.[0] ?? body.error;
        expect([req.url, error.message]).toEqual([req.url, 'Internal error']);
        expect(error.extensions?.code ?? error.code).toBe('INTERNAL');
        expect(res.headers['x-request-id']).toBe('leak-check-1');
      }
    } finally {
      (dir as { fresh: unknown }).fresh = original;
    }
  });

  it('masks an internal failure in a hook (actor resolution) with the stable code', async () => {
    const token = await t.tokenFor(demo.admin('miyi'));
    const users = t.platform.orm.em;
    const original = users.fork;
    (users as { fork: unknown }).fork = () => {
      throw new Error('secret detail: pool exhausted at 10.0.0.7');
    };
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { authorization: `Bearer ${token}` },
        payload: { query: '{ me { platformAdmin } }' },
      });
      expect(res.body).not.toContain('secret detail');
      expect(res.statusCode).toBe(500);
      expect(res.json().errors[0]).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL' } });
    } finally {
      (users as { fork: unknown }).fork = original;
    }
  });
});

/**
 * Issue 7 part B: client mistakes are 4xx (never 500, never logged at error level), every connection refuses a
 * malformed cursor, a PREPARING site's host answers like an unknown host, and /ready never hangs.
 */
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createPlatform } from '@zhanqun/adapters';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let app: FastifyInstance;
const logLines: { level: number; msg?: string }[] = [];
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  t = await startTestApp();
  // The same app with a real logger, to prove client mistakes never reach the error level.
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await buildApp(t.platform, { logger: { level: 'info', stream } });
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

async function post(payload: string | object, headers: Record<string, string> = {}, token?: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() };
}

describe('client mistakes are 4xx', () => {
  it('a body over the limit is 413', async () => {
    const r = await post({ query: `{ me { user { email } } } # ${'x'.repeat(1_100_000)}` });
    expect(r.status).toBe(413);
  });

  it('an unsupported content type is 415', async () => {
    const r = await post('{ me { user { email } } }', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('a mutation over GET is 405', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('mutation { logout(refreshToken: "zqr_x") }')}`,
    });
    expect(res.statusCode).toBe(405);
  });

  it('a query that is not a string is 400, as is a body that is not an object', async () => {
    for (const body of [{ query: 42 }, { query: null }, { query: ['{ me { user { email } } }'] }, '[]', '"x"', '{']) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const ok = await post({ query: '{ sites(first: 1) { edges { cursor } } }', variables: null, extensions: null });
    expect(ok.status).toBe(200);
  });

  it('every connection refuses a malformed cursor with 400 INVALID_INPUT', async () => {
    const admin = await t.tokenFor(demo.platformAdmin);
    const bad = ['%%%', 'bm90IGpzb24', b64(['a', 'b', 'c']), b64([{ x: 1 }]), b64(['not-a-date', 'x']), b64([true])];
    const cases: [string, string | undefined, string[]][] = [
      ['query($a: String) { sites(after: $a) { edges { cursor } } }', undefined, [...bad, b64([5])]],
      [
        'query($a: String) { auditLog(site: "miyi", after: $a) { edges { cursor } } }',
        admin,
        [...bad, b64(['abc']), b64(['1; drop'])],
      ],
      [
        'query($a: String) { items(site: "miyi", after: $a) { edges { cursor } } }',
        undefined,
        [...bad, b64(['2024-01-01T00:00:00Z', 'nope'])],
      ],
      [
        'query($a: String) { items(site: "miyi", after: $a) { edges { cursor } } }',
        admin,
        [...bad, b64(['2024-13-45T99:00:00Z', '00000000-0000-4000-8000-000000000000'])],
      ],
      [
        'query($a: String) { search(site: "miyi", query: "x", after: $a) { edges { cursor } } }',
        undefined,
        ['%%%', b64(-1)],
      ],
    ];
    for (const [query, token, cursors] of cases) {
      for (const a of cursors) {
        const r = await post({ query, variables: { a } }, {}, token);
        expect([r.status, r.body.errors?.[0]?.extensions], `${query} ${a}`).toEqual([
          400,
          expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_INPUT', field: 'after' }),
        ]);
      }
    }
    // A cursor handed out by the connection itself still works.
    const page = await post({ query: '{ auditLog(site: "miyi", first: 1) { edges { cursor } } }' }, {}, admin);
    const next = await post(
      {
        query: 'query($a: String) { auditLog(site: "miyi", first: 1, after: $a) { edges { cursor } } }',
        variables: { a: page.body.data.auditLog.edges[0].cursor },
      },
      {},
      admin,
    );
    expect(next.status).toBe(200);
  });

  it('none of the above was logged at error level', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('no single request hogs the server', () => {
  const ext = (r: { body: { errors?: { extensions: Record<string, unknown> }[] } }) => r.body.errors?.[0]?.extensions;

  it('3,000 aliased search fields are refused before parsing finishes (token limit)', async () => {
    const query = `{ ${Array.from({ length: 3000 }, (_, i) => `s${i}: search(site: "miyi", query: "x") { edges { cursor } }`).join(' ')} }`;
    const r = await post({ query });
    expect([r.status, ext(r)]).toEqual([
      400,
      expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_LARGE' }),
    ]);
  });

  it('caps root fields per operation, through fragments too', async () => {
    const field = (i: number) => `a${i}: sites(first: 1) { edges { cursor } }`;
    const many = await post({ query: `{ ${Array.from({ length: 31 }, (_, i) => field(i)).join(' ')} }` });
    expect([many.status, ext(many)]).toEqual([
      400,
      expect.objectContaining({ reason: 'QUERY_TOO_LARGE', rootFields: 31, limit: 30 }),
    ]);
    const viaFragment = await post({
      query: `query { ...F ${Array.from({ length: 16 }, (_, i) => field(100 + i)).join(' ')} }
        fragment F on Query { ${Array.from({ length: 15 }, (_, i) => field(i)).join(' ')} }`,
    });
    expect(ext(viaFragment)).toMatchObject({ reason: 'QUERY_TOO_LARGE', rootFields: 31 });
    const fine = await post({ query: `{ ${Array.from({ length: 30 }, (_, i) => field(i)).join(' ')} }` });
    expect(fine.status).toBe(200);
  });

  it('caps aliases anywhere in the document', async () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `c${i}: code`).join(' ');
    const r = await post({ query: `{ site(code: "miyi") { ${aliases} } }` });
    expect([r.status, ext(r)]).toEqual([400, expect.objectContaining({ reason: 'QUERY_TOO_LARGE', aliases: 101 })]);
  });

  it('prices fields that call out to Meilisearch at a round trip each', async () => {
    const strict = await buildApp(
      { ...t.platform, config: { ...t.platform.config, GRAPHQL_MAX_COMPLEXITY: 5000 } },
      { logger: false },
    );
    try {
      const query = `{ ${Array.from({ length: 6 }, (_, i) => `s${i}: search(site: "miyi", query: "x", first: 1) { edges { cursor } }`).join(' ')} }`;
      const res = await strict.inject({ method: 'POST', url: '/graphql', payload: { query } });
      const e = res.json().errors[0].extensions;
      expect([res.statusCode, e.reason]).toEqual([400, 'QUERY_TOO_COMPLEX']);
      expect(e.cost).toBeGreaterThanOrEqual(6000);
      const keys = `{ ${Array.from({ length: 3 }, (_, i) => `k${i}: searchKey(site: "miyi") { token }`).join(' ')} }`;
      const k = await strict.inject({ method: 'POST', url: '/graphql', payload: { query: keys } });
      expect(k.json().errors?.[0]?.extensions.reason).not.toBe('QUERY_TOO_COMPLEX');
    } finally {
      await strict.close();
    }
  });
});

describe('a host of a site still PREPARING', () => {
  it('is answered exactly like an unknown host', async () => {
    const ask = (host: string) =>
      app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { host, 'content-type': 'application/json' },
        payload: { query: '{ items { edges { node { id } } } }' },
      });
    const before = await ask('edu.localhost');
    expect(before.json().data?.items.edges.length).toBeGreaterThanOrEqual(0);
    expect(before.statusCode).toBe(200);
    // Put a demo site back into PREPARING (as the owner: no status transition leads there).
    const c = new pg.Client({ connectionString: t.db.ownerUrl });
    await c.connect();
    await c.query("update site set status = 'PREPARING' where code = 'edu'");
    await c.end();
    await t.platform.directory.reload();
    const preparing = await ask('edu.localhost');
    const unknown = await ask('nosuchsite.localhost');
    expect([preparing.statusCode, preparing.json()]).toEqual([unknown.statusCode, unknown.json()]);
    expect(unknown.statusCode).toBe(400);
  });
});

describe('/ready', () => {
  it('answers within a second when Meilisearch accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const hung = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as { port: number }).port;
    // The same database, a platform whose Meilisearch is the hung server.
    const hungPlatform = await createPlatform({ ...t.platform.config, MEILI_URL: `http://127.0.0.1:${port}` });
    const slow = { app: await buildApp(hungPlatform, { logger: false }) };
    try {
      let started = performance.now();
      const pgOnly = await slow.app.inject('/ready?checks=postgres');
      expect(performance.now() - started).toBeLessThan(1000);
      expect([pgOnly.statusCode, pgOnly.json().checks]).toEqual([200, { postgres: true, meilisearch: false }]);
      started = performance.now();
      const all = await slow.app.inject('/ready');
      expect(performance.now() - started).toBeLessThan(1000);
      expect([all.statusCode, all.json().status]).toEqual([503, 'unavailable']);
    } finally {
      for (const s of sockets) s.destroy();
      hung.close();
      await slow.app.close();
      await hungPlatform.close();
    }
  }, 120_000);
});

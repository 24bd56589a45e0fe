/** Issue 7 part B: GraphQL over HTTP conformance, checked by the graphql-http package's server audits. */
import type { FastifyInstance } from 'fastify';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  t = await startTestApp();
  // The audits speak real HTTP (fetch), so this app listens on loopback.
  app = await buildApp(t.platform, { logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = `${address}/graphql`;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  it('passes every MUST', async () => {
    const results: { id: string; name: string; status: string; reason?: string }[] = [];
    for (const audit of serverAudits({ url, fetchFn: fetch })) {
      const r = await audit.fn();
      results.push({
        id: audit.id,
        name: audit.name,
        status: r.status,
        ...(r.status !== 'ok' ? { reason: r.reason } : {}),
      });
    }
    const count = (level: string) => {
      const of = results.filter((r) => r.name.startsWith(level));
      return { ok: of.filter((r) => r.status === 'ok').length, total: of.length };
    };
    const summary = { MUST: count('MUST'), SHOULD: count('SHOULD'), MAY: count('MAY') };
    console.info('graphql-http audits', JSON.stringify(summary));
    for (const r of results.filter((x) => x.status !== 'ok'))
      console.info(`  ${r.status} ${r.id} ${r.name}: ${r.reason}`);
    expect(results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok')).toEqual([]);
    expect(summary.MUST.total).toBeGreaterThan(10);
  });

  it('negotiates application/graphql-response+json: request errors are 400 without data, executed ones 200', async () => {
    const ask = async (query: string, accept: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query, extensions: null }),
      });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        body: (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] },
      };
    };
    const gr = 'application/graphql-response+json';
    const ok = await ask('{ sites(first: 1) { edges { cursor } } }', gr);
    expect([ok.status, ok.type]).toEqual([200, `${gr}; charset=utf-8`]);
    const parse = await ask('{', gr);
    expect([parse.status, 'data' in parse.body]).toEqual([400, false]);
    const invalid = await ask('{ nosuchfield }', gr);
    expect([invalid.status, 'data' in invalid.body]).toEqual([400, false]);
    // Executed, with a field error (not signed in): 200 with data null, as the spec asks.
    const field = await ask('{ auditLog { edges { cursor } } }', gr);
    expect([field.status, field.body.data, field.body.errors[0]?.extensions.code]).toEqual([
      200,
      null,
      'UNAUTHENTICATED',
    ]);
    // The default stays application/json.
    const json = await ask('{ sites(first: 1) { edges { cursor } } }', 'application/json');
    expect(json.type).toBe('application/json; charset=utf-8');
    expect((await ask('{ sites(first: 1) { edges { cursor } } }', 'text/html')).status).toBe(406);
  });
});

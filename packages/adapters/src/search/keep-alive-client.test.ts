import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Meilisearch } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveJsonClient, MeiliHttpError } from './keep-alive-client.ts';

// A stand-in for Meilisearch on loopback: answers what the test asks for and counts TCP connections.
let server: Server;
let base = '';
let connections = 0;
const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url?.includes('/missing/')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'index_not_found', message: 'Index `missing` not found.' }));
        return;
      }
      if (req.url?.includes('/slow/')) return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hits: [{ id: '1', title: '乡村振兴' }], processingTimeMs: 1, query: JSON.parse(body).q }));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the keep-alive client of public searches', () => {
  it('serves the meilisearch client: the request as it builds it, the parsed answer, one reused connection', async () => {
    const http = keepAliveJsonClient({ timeoutMs: 2_000 });
    const client = new Meilisearch({
      host: base,
      apiKey: 'k',
      requestInit: { headers: { 'accept-encoding': 'identity' } },
      httpClient: http.httpClient,
    });
    connections = 0;
    seen.length = 0;
    for (const q of ['乡村振兴', '医保', '政务公开']) {
      const res = await client.index('items').search(q, { limit: 10 });
      expect(res.hits).toEqual([{ id: '1', title: '乡村振兴' }]);
      expect((res as unknown as { query: string }).query).toBe(q);
    }
    expect(seen.map((s) => [s.method, s.url])).toEqual(Array(3).fill(['POST', '/indexes/items/search']));
    expect(seen[0]!.headers).toMatchObject({
      authorization: 'Bearer k',
      'accept-encoding': 'identity',
      'content-type': 'application/json',
    });
    expect(connections).toBe(1);
    http.close();
  });

  it('turns a non-2xx answer into an error that says what Meilisearch said', async () => {
    const http = keepAliveJsonClient({ timeoutMs: 2_000 });
    const client = new Meilisearch({ host: base, apiKey: 'k', httpClient: http.httpClient });
    const err = await client
      .index('missing')
      .search('x')
      .catch((e: unknown) => e);
    // The meilisearch client wraps what its httpClient throws as the cause of a request error.
    const cause = (err as { cause?: unknown }).cause;
    expect(cause).toBeInstanceOf(MeiliHttpError);
    expect(cause).toMatchObject({ status: 404, body: { code: 'index_not_found' } });
    expect(String(cause)).toContain('404 index_not_found');
    http.close();
  });

  it('gives up on a server that does not answer in time', async () => {
    const http = keepAliveJsonClient({ timeoutMs: 200 });
    const client = new Meilisearch({ host: base, apiKey: 'k', httpClient: http.httpClient });
    const err = await client
      .index('slow')
      .search('x')
      .catch((e: unknown) => e);
    expect(String((err as { cause?: unknown }).cause ?? err)).toContain('did not answer within 200 ms');
    http.close();
  });
});

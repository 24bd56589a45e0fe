import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Meilisearch } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveJsonClient, MeiliHttpError, type SearchTransport } from './keep-alive-client.ts';
import { MeiliSearchIndex, searchBody } from './meili-index.ts';

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
      res.end(
        JSON.stringify({ hits: [{ id: '1', title: '乡村振兴' }], processingTimeMs: 1, query: JSON.parse(body).q }),
      );
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
  it('POSTs the body as given with the key, JSON and no compression, parses the answer, reuses one connection', async () => {
    const http = keepAliveJsonClient({ host: `${base}/`, apiKey: 'k', timeoutMs: 2_000 });
    connections = 0;
    seen.length = 0;
    for (const q of ['乡村振兴', '医保', '政务公开']) {
      const body = JSON.stringify({ q, limit: 10 });
      const res = (await http.postJson('indexes/items/search', body)) as { hits: unknown[]; query: string };
      expect(res.hits).toEqual([{ id: '1', title: '乡村振兴' }]);
      expect(res.query).toBe(q);
      expect(seen.at(-1)!.body).toBe(body);
    }
    expect(seen.map((s) => [s.method, s.url])).toEqual(Array(3).fill(['POST', '/indexes/items/search']));
    expect(seen[0]!.headers).toMatchObject({
      authorization: 'Bearer k',
      'accept-encoding': 'identity',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(JSON.stringify({ q: '乡村振兴', limit: 10 }))),
    });
    expect(connections).toBe(1);
    http.close();
  });

  it('keeps a path prefix of the host (Meilisearch behind a reverse proxy)', async () => {
    const http = keepAliveJsonClient({ host: `${base}/meili/`, timeoutMs: 2_000 });
    seen.length = 0;
    await http.postJson('/indexes/items/search', '{"q":"x"}');
    expect(seen[0]!.url).toBe('/meili/indexes/items/search');
    expect(seen[0]!.headers.authorization).toBeUndefined();
    http.close();
  });

  it('turns a non-2xx answer into an error that says what Meilisearch said', async () => {
    const http = keepAliveJsonClient({ host: base, apiKey: 'k', timeoutMs: 2_000 });
    const err = await http.postJson('indexes/missing/search', '{"q":"x"}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeiliHttpError);
    expect(err).toMatchObject({ status: 404, body: { code: 'index_not_found' } });
    expect(String(err)).toContain('404 index_not_found');
    http.close();
  });

  it('gives up on a server that does not answer in time', async () => {
    const http = keepAliveJsonClient({ host: base, apiKey: 'k', timeoutMs: 200 });
    const err = await http.postJson('indexes/slow/search', '{"q":"x"}').catch((e: unknown) => e);
    expect(String(err)).toContain('did not answer within 200 ms');
    http.close();
  });
});

describe('MeiliSearchIndex.search', () => {
  it('sends the search body through its transport and reads highlights, facets and totals from the answer', async () => {
    const sent: { path: string; body: string }[] = [];
    const transport: SearchTransport = {
      postJson: async (path, body) => {
        sent.push({ path, body });
        return {
          hits: [
            {
              id: 'a',
              title: '<b>乡村振兴</b>',
              summary: '摘要',
              _formatted: { title: '<b>\u0001乡村\u0002\u0001振兴\u0002</b>', bodyText: '…\u0001乡村振兴\u0002…' },
            },
            { id: 'b', title: '无高亮', summary: '只有摘要' },
          ],
          estimatedTotalHits: 2,
          facetDistribution: { kind: { ARTICLE: 2 } },
          processingTimeMs: 3,
        };
      },
    };
    const index = new MeiliSearchIndex(new Meilisearch({ host: base }), {
      host: base,
      indexUid: 'zq items',
      synonyms: {},
      searchTransport: transport,
    });
    const req = {
      query: '乡村振兴',
      scope: { field: 'siteAncestors' as const, siteId: 's1', excludeSiteIds: ['s2'] },
      filters: { kind: ['ARTICLE'], year: [2024, 2025] },
      sort: 'NEWEST' as const,
      offset: 10,
      limit: 10,
      facets: ['kind' as const],
    };
    const res = await index.search(req);
    expect(sent).toEqual([{ path: 'indexes/zq%20items/search', body: JSON.stringify(searchBody(req)) }]);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({
      q: '乡村振兴',
      filter: 'siteAncestors = "s1" AND siteId NOT IN ["s2"] AND (kind = "ARTICLE") AND (year = 2024 OR year = 2025)',
      sort: ['publishedAt:desc'],
      offset: 10,
      limit: 10,
      locales: ['cmn'],
    });
    expect(JSON.parse(sent[0]!.body).attributesToRetrieve).not.toContain('bodyText');
    expect(res.hits.map((h) => [h.doc.id, h.titleHighlighted, h.snippet])).toEqual([
      ['a', '&lt;b&gt;<mark>乡村振兴</mark>&lt;/b&gt;', '…<mark>乡村振兴</mark>…'],
      ['b', '无高亮', '只有摘要'],
    ]);
    expect(res).toMatchObject({ estimatedTotalHits: 2, facets: { kind: { ARTICLE: 2 } }, processingTimeMs: 3 });
  });
});

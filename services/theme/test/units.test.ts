/**
 * The theme's own rules without a browser: escaping by construction, and the API client honouring the API's
 * Cache-Control and ETag (fresh answers reused, stale ones revalidated with If-None-Match, private ones never kept).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/api.ts';
import { html, trusted } from '../src/html.ts';
import { day } from '../src/pages.ts';

describe('html', () => {
  it('escapes every interpolation unless it is already HTML', () => {
    const title = '<script>alert("x")</script> & \'q\'';
    expect(html`<h1 title="${title}">${title}</h1>`.value).toBe(
      '<h1 title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</h1>',
    );
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(html`<div>${trusted('<p>sanitised by the API</p>')}${null}${undefined}${false}</div>`.value).toBe(
      '<div><p>sanitised by the API</p></div>',
    );
  });

  it('shows dates in China Standard Time', () => {
    expect(day('2026-03-01T17:30:00Z')).toBe('2026-03-02');
    expect(day(null)).toBe('');
  });
});

describe('the API client as an HTTP cache', () => {
  let server: Server;
  let now = 0;
  const seen: { method: string; inm: string | undefined; auth?: string }[] = [];
  let cacheControl = 'public, max-age=60, s-maxage=300';
  let version = 1;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', inm: req.headers['if-none-match'], auth: req.headers.authorization });
      const etag = `"v${version}"`;
      res.setHeader('cache-control', cacheControl);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.headers['if-none-match'] === etag) {
        res.statusCode = 304;
        return res.end();
      }
      res.setHeader('etag', etag);
      res.end(JSON.stringify({ data: { v: version } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reuses a fresh answer, revalidates a stale one by ETag, and takes a changed one', async () => {
    const api = createApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { now: () => now });
    expect(await api.read('{ v }')).toEqual({ v: 1 });
    now += 30_000;
    expect(await api.read('{ v }')).toEqual({ v: 1 });
    expect(seen).toHaveLength(1);
    expect(api.stats).toMatchObject({ requests: 1, fresh: 1 });
    now += 31_000; // past max-age
    expect(await api.read('{ v }')).toEqual({ v: 1 });
    expect(seen.at(-1)).toEqual({ method: 'GET', inm: '"v1"', auth: undefined });
    expect(api.stats.notModified).toBe(1);
    version = 2;
    now += 61_000;
    expect(await api.read('{ v }')).toEqual({ v: 2 });
    expect(seen).toHaveLength(3);
  });

  it('sends its API token and keeps the private answers the API gives a token (private, max-age)', async () => {
    const api = createApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      now: () => now,
      token: 'zqt_theme',
    });
    cacheControl = 'private, max-age=60';
    const before = seen.length;
    expect(await api.read('{ v }')).toEqual({ v: version });
    expect(await api.read('{ v }')).toEqual({ v: version });
    expect(seen.length - before).toBe(1);
    expect(seen.at(-1)!.auth).toBe('Bearer zqt_theme');
    await api.readPrivate('{ v }');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', auth: 'Bearer zqt_theme' });
  });

  it('never keeps private answers, nor previews (POST)', async () => {
    const api = createApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { now: () => now });
    cacheControl = 'private, no-store';
    const before = seen.length;
    await api.read('{ v }');
    await api.read('{ v }');
    await api.readPrivate('{ v }');
    expect(seen.slice(before).map((s) => s.method)).toEqual(['GET', 'GET', 'POST']);
    expect(seen.slice(before).every((s) => s.inm === undefined)).toBe(true);
  });
});

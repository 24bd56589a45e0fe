/**
 * Issue 12, machine-readable delivery on each site's hosts: sitemaps valid against the sitemaps.org schemas
 * (xmllint compiled to WebAssembly), robots.txt, RSS 2.0 and Atom feeds read back with a feed parser nobody here
 * wrote, and the HTTP caching contract (Cache-Control, strong ETag, 304, Vary).
 */
import { readFileSync } from 'node:fs';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { demo, publishItem, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let published: string;
const HOST = 'www.miyi.gov.cn';
const schema = (name: string) => ({
  fileName: name,
  contents: readFileSync(new URL(`./fixtures/sitemaps/${name}`, import.meta.url), 'utf8'),
});

async function valid(xml: string, xsd: 'sitemap.xsd' | 'siteindex.xsd') {
  const r = await validateXML({ xml: [{ fileName: 'doc.xml', contents: xml }], schema: [schema(xsd)] });
  return r.errors.map((e) => e.message);
}

const get = (url: string, headers: Record<string, string> = {}, host = HOST) =>
  t.app.inject({ method: 'GET', url, headers: { host, ...headers } });

beforeAll(async () => {
  t = await startTestApp();
  published = await publishItem(t, 'miyi', {
    column: '/zwdt/yw',
    slug: 'county-meeting',
    title: '县政府召开常务会议 & 部署春耕',
    summary: '会议研究部署春耕生产工作',
    author: '县政府办',
  });
  await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'notice-1', title: '关于春节放假的通知' });
  const editor = await t.tokenFor(demo.editor('miyi'));
  await t.gql(
    'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", slug: "draft-x", kind: "ARTICLE", title: "草稿不应出现", body: "<p>x</p>", source: "x" }) { id } }',
    {},
    editor,
  );
});

afterAll(async () => {
  await t?.close();
});

describe('sitemaps', () => {
  it('the schema check itself refuses an invalid sitemap (control)', async () => {
    const bad =
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>yesterday</lastmod></url></urlset>';
    expect(await valid(bad, 'sitemap.xsd')).not.toEqual([]);
    expect(await valid(bad.replace(/urlset/g, 'sitemapindex'), 'siteindex.xsd')).not.toEqual([]);
  });

  it('serves a sitemap index and per-column sitemaps that validate against the sitemaps.org schemas', async () => {
    const index = await get('/sitemap.xml');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^application\/xml/);
    expect(await valid(index.body, 'siteindex.xsd')).toEqual([]);
    const locs = [...index.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(locs[0]).toBe(`https://${HOST}/sitemaps/pages.xml`);
    expect(locs).toHaveLength(3); // pages + the two columns with items
    const urls: string[] = [];
    for (const loc of locs) {
      const file = await get(new URL(loc).pathname);
      expect(file.statusCode).toBe(200);
      expect(await valid(file.body, 'sitemap.xsd')).toEqual([]);
      urls.push(...[...file.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!));
    }
    expect(urls).toContain(`https://${HOST}/`);
    expect(urls).toContain(`https://${HOST}/zwdt/yw/`);
    expect(urls).toContain(`https://${HOST}/zwdt/yw/county-meeting.html`);
    expect(urls).toContain(`https://${HOST}/zwdt/tzgg/notice-1.html`);
    expect(urls.join()).not.toContain('draft-x');
    expect(index.body).toMatch(/<lastmod>\d{4}-\d\d-\d\dT/);
  });

  it('answers on any host of the site with URLs on the primary domain; unknown hosts get 404', async () => {
    const r = await get('/sitemap.xml', {}, 'miyi.localhost');
    expect(r.body).toContain(`<loc>https://${HOST}/sitemaps/pages.xml</loc>`);
    expect((await get('/sitemap.xml', {}, 'unknown.example.gov.cn')).statusCode).toBe(404);
    expect((await get('/sitemaps/00000000-0000-0000-0000-000000000000-1.xml')).statusCode).toBe(404);
  });

  it('robots.txt points at the sitemap', async () => {
    const r = await get('/robots.txt');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`Sitemap: https://${HOST}/sitemap.xml`);
  });
});

describe('feeds', () => {
  it('RSS 2.0 of a column parses, with summaries, links on the primary domain, and no drafts', async () => {
    const r = await get('/feeds/zwdt/yw/rss.xml');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/rss\+xml/);
    const feed = parseFeed(r.body);
    expect(feed.meta.type).toBe('rss');
    expect(feed.title).toBe('米易要闻 - 米易县人民政府');
    expect(feed.items.map((i) => i.title)).toEqual(['县政府召开常务会议 & 部署春耕']);
    expect(feed.items[0]!.url).toBe(`https://${HOST}/zwdt/yw/county-meeting.html`);
    expect(feed.items[0]!.description).toBe('会议研究部署春耕生产工作');
  });

  it('Atom of the whole site parses, newest first', async () => {
    const r = await get('/feeds/atom.xml');
    expect(r.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = parseFeed(r.body);
    expect(feed.meta.type).toBe('atom');
    expect(feed.items.map((i) => i.title)).toEqual(['关于春节放假的通知', '县政府召开常务会议 & 部署春耕']);
    expect(feed.items.every((i) => i.url?.startsWith(`https://${HOST}/`))).toBe(true);
    expect(feed.items[1]!.id).toBe(`https://${HOST}/zwdt/yw/county-meeting.html`);
    void published;
  });

  it('a hidden or unknown column has no feed', async () => {
    expect((await get('/feeds/no-such/rss.xml')).statusCode).toBe(404);
    expect((await get('/feeds/zwdt/yw/feed.json')).statusCode).toBe(404);
  });
});

describe('HTTP caching of public machine-readable answers', () => {
  it('sends Cache-Control for shared caches, a strong ETag and Vary, and 304 when unchanged', async () => {
    const first = await get('/feeds/rss.xml');
    expect(first.headers['cache-control']).toMatch(/s-maxage=\d+/);
    expect(first.headers['cache-control']).toMatch(/stale-while-revalidate=\d+/);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/); // strong: no W/ prefix
    expect(first.headers.vary).toMatch(/Accept-Encoding/);
    const again = await get('/feeds/rss.xml', { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await get('/feeds/rss.xml', { 'if-none-match': '"other"' });
    expect(stale.statusCode).toBe(200);
  });
});

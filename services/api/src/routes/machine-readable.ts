import {
  columnSitemap,
  type Feed as FeedData,
  feedOf,
  isSiteGoneForHost,
  pagesSitemap,
  type SitemapFile,
  sitemapIndex,
} from '@zhanqun/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Feed } from 'feed';
import type { DeliveryDeps } from './delivery.ts';
import { sendCacheable } from './http-cache.ts';

const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
const abs = (host: string, path: string) => `https://${host}${encodeURI(path)}`;
const lastmod = (d: Date | null) => (d ? `<lastmod>${d.toISOString()}</lastmod>` : '');
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

function urlset(f: SitemapFile): string {
  const urls = f.urls.map((u) => `<url><loc>${xmlEscape(abs(f.primaryHost, u.path))}</loc>${lastmod(u.lastmod)}</url>`);
  return `${XML_HEAD}<urlset xmlns="${NS}">\n${urls.join('\n')}\n</urlset>\n`;
}

function feedDocument(f: FeedData, format: 'rss' | 'atom', selfPath: string): string {
  const base = `https://${f.primaryHost}`;
  const title = f.column ? `${f.column.name} - ${f.site.name}` : f.site.name;
  const columnPrefix = f.column ? `/feeds${f.column.path}` : '/feeds';
  const feed = new Feed({
    title,
    id: `${base}${f.column ? f.column.url : '/'}`,
    link: `${base}${f.column ? f.column.url : '/'}`,
    description: f.column?.description ?? `${f.site.name}（网站标识码 ${f.site.siteIdCode}）`,
    language: f.site.locales[0] ?? 'zh-CN',
    updated: f.items[0]?.view.publishedAt ?? f.site.updatedAt,
    generator: 'Zhanqun',
    copyright: `© ${f.site.organisationName}`,
    feedLinks: { rss: `${base}${columnPrefix}/rss.xml`, atom: `${base}${columnPrefix}/atom.xml` },
  });
  for (const { view, path } of f.items) {
    const link = abs(f.primaryHost, path);
    feed.addItem({
      title: view.content.title,
      id: link,
      link,
      // Lists never read bodies: the feed carries the summary (issue 12).
      description: view.content.summary ?? undefined,
      date: view.lastPublishedAt ?? view.publishedAt!,
      published: view.publishedAt ?? undefined,
      author: view.content.author ? [{ name: view.content.author }] : undefined,
    });
  }
  void selfPath;
  return format === 'rss' ? feed.rss2() : feed.atom1();
}

const notFound = (reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
const gone = (reply: FastifyReply) => reply.code(410).type('text/plain; charset=utf-8').send('Gone\n');

/**
 * Machine-readable delivery on each site's hosts (the Host header picks the site through the site directory):
 * /robots.txt, /sitemap.xml (a sitemap index), /sitemaps/pages.xml and /sitemaps/<column id>-<n>.xml
 * (≤ 50,000 URLs each), RSS 2.0 and Atom feeds of the site (/feeds/rss.xml, /feeds/atom.xml) and of each column
 * (/feeds/<column path>/rss.xml, …/atom.xml). Anonymous, public, cacheable (strong ETag, 304).
 */
export function sitemapAndFeedRoutes(app: FastifyInstance, deps: DeliveryDeps) {
  const ctx = (req: FastifyRequest) => deps.ctxFor(req, { kind: 'anonymous' });
  // Nothing to serve: 410 for a closed or taken-down site (as `route` answers its pages), else 404.
  const missing = async (req: FastifyRequest, reply: FastifyReply) =>
    (await isSiteGoneForHost(await ctx(req), req.hostname)) ? gone(reply) : notFound(reply);

  app.get('/robots.txt', async (req, reply) => {
    const index = await sitemapIndex(await ctx(req), req.hostname);
    if (!index) return missing(req, reply);
    const body = `User-agent: *\nAllow: /\nDisallow: /graphql\n\nSitemap: https://${index.primaryHost}/sitemap.xml\n`;
    return sendCacheable(req, reply, 'text/plain; charset=utf-8', body);
  });

  app.get('/sitemap.xml', async (req, reply) => {
    const index = await sitemapIndex(await ctx(req), req.hostname);
    if (!index) return missing(req, reply);
    const maps = index.sitemaps.map(
      (s) => `<sitemap><loc>${xmlEscape(abs(index.primaryHost, s.path))}</loc>${lastmod(s.lastmod)}</sitemap>`,
    );
    const body = `${XML_HEAD}<sitemapindex xmlns="${NS}">\n${maps.join('\n')}\n</sitemapindex>\n`;
    return sendCacheable(req, reply, 'application/xml; charset=utf-8', body);
  });

  app.get<{ Params: { file: string } }>('/sitemaps/:file', async (req, reply) => {
    const c = await ctx(req);
    const m = /^([0-9a-f-]{36})-(\d{1,4})\.xml$/.exec(req.params.file);
    const file =
      req.params.file === 'pages.xml'
        ? await pagesSitemap(c, req.hostname)
        : m
          ? await columnSitemap(c, req.hostname, m[1]!, Number(m[2]))
          : null;
    if (!file) return missing(req, reply);
    return sendCacheable(req, reply, 'application/xml; charset=utf-8', urlset(file));
  });

  app.get<{ Params: { '*': string } }>('/feeds/*', async (req, reply) => {
    const m = /^((?:[a-z0-9][a-z0-9-]{0,47}\/)*)(rss|atom)\.xml$/.exec(req.params['*']);
    if (!m) return notFound(reply);
    const columnPath = m[1] ? `/${m[1].slice(0, -1)}` : null;
    const feed = await feedOf(await ctx(req), req.hostname, columnPath);
    if (!feed) return missing(req, reply);
    const format = m[2] as 'rss' | 'atom';
    const type = format === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8';
    return sendCacheable(req, reply, type, feedDocument(feed, format, req.url));
  });
}

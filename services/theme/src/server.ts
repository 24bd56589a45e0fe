import { createReadStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import compress from '@fastify/compress';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ApiClient, ApiError, createApiClient } from './api.ts';
import { bundleSearch, fontCss, fontFile, themeCss } from './assets.ts';
import { html, trusted } from './html.ts';
import { layout, type RenderContext, renderPage, renderSearch } from './pages.ts';
import { ROUTE, type Route, SEARCH, SEARCH_KEY, type SearchAnswer } from './queries.ts';

export interface ThemeOptions {
  /** Where the theme reaches the API (server side): http://127.0.0.1:4000 */
  apiUrl: string;
  /** Items per column page. */
  pageSize?: number;
  /** Cache-Control of public pages. */
  pageCacheControl?: string;
  logger?: boolean;
  /** Keep the API's answers as HTTP says (default true; off only to measure the cold path). */
  apiCache?: boolean;
  /** An API token (`zqt_…`, scope READ_PUBLISHED): the API rate-limits the theme by it, not by its address. */
  apiToken?: string;
}

/** Pages for everyone: shared caches may keep them briefly and serve them stale while they fetch a new one. */
export const PAGE_CACHE = 'public, max-age=60, stale-while-revalidate=300';
const ASSET_CACHE = 'public, max-age=86400';
const FONT_CACHE = 'public, max-age=31536000, immutable';

/** Paths the API itself serves on each site's hosts (ADR 0014): passed through with the reader's Host. */
const PASS_THROUGH = /^\/(media\/|sitemaps?\b|robots\.txt$|feeds\/)/;

function renderContext(req: FastifyRequest): RenderContext {
  return { elder: /(?:^|;\s*)zq_elder=1(?:;|$)/.test(req.headers.cookie ?? ''), here: req.url };
}

/** The path `route` is asked for: the request's path and query without the theme's own parameters. */
function routePath(rawUrl: string): { path: string; after: string | null; preview: string | null } {
  const url = new URL(rawUrl, 'http://x');
  const after = url.searchParams.get('after');
  const preview = url.searchParams.get('preview');
  url.searchParams.delete('after');
  url.searchParams.delete('preview');
  const qs = url.searchParams.toString();
  return { path: url.pathname + (qs ? `?${qs}` : ''), after, preview };
}

export async function buildTheme(opts: ThemeOptions): Promise<{ app: FastifyInstance; api: ApiClient }> {
  const api = createApiClient(opts.apiUrl, { cache: opts.apiCache ?? true, token: opts.apiToken });
  const pageSize = opts.pageSize ?? 10;
  const pageCache = opts.pageCacheControl ?? PAGE_CACHE;
  const [fonts, searchJs] = await Promise.all([fontCss(), bundleSearch()]);
  const app = Fastify({ logger: opts.logger ?? false, trustProxy: true });
  // br/gzip for HTML, CSS, JS and XML; images, fonts and PDFs are already compressed and pass as they are.
  await app.register(compress, { threshold: 1024 });

  const sendHtml = (req: FastifyRequest, reply: FastifyReply, status: number, body: string, cache: string) => {
    const rc = renderContext(req);
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('vary', 'Cookie')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'strict-origin-when-cross-origin')
      // The 适老化 choice lives in a cookie: such pages are the reader's own.
      .header('cache-control', rc.elder && cache.startsWith('public') ? 'private, max-age=60' : cache);
    return reply.send(body);
  };

  const failed = (req: FastifyRequest, reply: FastifyReply, e: unknown) => {
    req.log.error(e);
    const body = layout(renderContext(req), {
      title: '服务暂不可用',
      site: null,
      body: html`<h1>服务暂不可用</h1><p>请稍后再试。</p>`,
    });
    return sendHtml(req, reply, 502, body, 'no-store');
  };

  app.get('/assets/theme.css', (_req, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', ASSET_CACHE).send(themeCss),
  );
  app.get('/assets/fonts.css', (_req, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', ASSET_CACHE).send(fonts),
  );
  app.get<{ Params: { file: string } }>('/assets/fonts/:file', (req, reply) => {
    const file = fontFile(req.params.file);
    if (!file) return reply.code(404).send();
    return reply
      .header('content-type', 'font/woff2')
      .header('cache-control', FONT_CACHE)
      .header('access-control-allow-origin', '*')
      .send(createReadStream(file));
  });
  app.get('/assets/search.js', (_req, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', ASSET_CACHE).send(searchJs),
  );

  // 适老化 switch without JavaScript: a link sets the cookie and comes back.
  app.get<{ Querystring: { elder?: string; back?: string } }>('/_mode', (req, reply) => {
    const on = req.query.elder === '1';
    const back = req.query.back && /^\/(?!\/)/.test(req.query.back) ? req.query.back : '/';
    reply.header(
      'set-cookie',
      `zq_elder=${on ? '1' : '0'}; Path=/; Max-Age=${on ? 31536000 : 0}; SameSite=Lax; HttpOnly`,
    );
    return reply.header('cache-control', 'no-store').redirect(back, 303);
  });

  // InstantSearch hits carry ids; this finds the item's address.
  app.get<{ Params: { id: string } }>('/_item/:id', async (req, reply) => {
    try {
      const d = await api.read<{ item: { slug: string; column: { path: string } | null } | null }>(
        'query($id: ID!) { item(id: $id) { slug column { path } } }',
        { id: req.params.id },
      );
      if (!d.item?.column) return reply.code(404).send();
      return reply.redirect(`${d.item.column.path}/${d.item.slug}.html`, 302);
    } catch (e) {
      if (e instanceof ApiError) return reply.code(404).send();
      return failed(req, reply, e);
    }
  });

  app.get<{ Querystring: { q?: string } }>('/search', async (req, reply) => {
    const host = req.hostname;
    const q = (req.query.q ?? '').trim().slice(0, 100);
    try {
      const home = await api.read<{ route: Route }>(ROUTE, { host, path: '/', first: 1 });
      const r = home.route;
      if (r.__typename !== 'HomePage') return sendPage(req, reply, r);
      const [answer, key] = await Promise.all([
        q ? api.read<{ search: SearchAnswer }>(SEARCH, { q, site: r.site.code }).then((d) => d.search) : null,
        api
          .readPrivate<{ searchKey: { token: string; host: string; indexUid: string } }>(SEARCH_KEY, {
            site: r.site.code,
          })
          .then((d) => d.searchKey)
          .catch(() => null),
      ]);
      // The tenant token goes into the page as JSON (`<` escaped so it cannot close the script element).
      const config = key
        ? trusted(
            `<script type="application/json" id="search-config">${JSON.stringify({ ...key, q }).replace(/</g, '\\u003c')}</script><script src="/assets/search.js" defer></script>`,
          )
        : null;
      const body = renderSearch(renderContext(req), { site: r.site, navigation: r.navigation, q, answer, key: config });
      return sendHtml(req, reply, 200, body, 'private, no-store');
    } catch (e) {
      return failed(req, reply, e);
    }
  });

  async function sendPage(req: FastifyRequest, reply: FastifyReply, answer: Route, preview = false) {
    let r = answer;
    if (r.__typename === 'RedirectPage') {
      return reply.header('cache-control', pageCache).redirect(r.location, r.status as 301 | 302);
    }
    // The API answers a path the redirect map marks as removed (410) without the site (unlike its 404s): the page
    // would lose the site's name, navigation and footer marks (ID-03). Take them from the home page's answer —
    // usually fresh in this theme's cache.
    if (r.__typename === 'GonePage' && !r.siteOf) {
      const home = await api
        .read<{ route: Route }>(ROUTE, { host: req.hostname, path: '/', first: pageSize, after: null, preview: null })
        .then((d) => d.route)
        .catch(() => null);
      if (home?.__typename === 'HomePage') r = { ...r, siteOf: home.site, nav: home.navigation };
    }
    const cache = preview ? 'private, no-store' : r.status >= 400 ? 'public, max-age=60' : pageCache;
    return sendHtml(req, reply, r.status, renderPage(renderContext(req), r), cache);
  }

  app.get('/*', async (req, reply) => {
    const { path, after, preview } = routePath(req.url);
    if (PASS_THROUGH.test(path)) return passThrough(opts.apiUrl, req, reply);
    try {
      const vars = { host: req.hostname, path, first: pageSize, after, preview };
      // A preview token is a secret and its answer private: never through the cache.
      const d = preview
        ? await api.readPrivate<{ route: Route }>(ROUTE, vars)
        : await api.read<{ route: Route }>(ROUTE, vars);
      return sendPage(req, reply, d.route, Boolean(preview));
    } catch (e) {
      return failed(req, reply, e);
    }
  });

  return { app, api };
}

/**
 * Media, sitemaps, robots.txt and feeds are the API's (REST edge on each site's host): streamed through with the
 * reader's Host, conditional and range headers, and the API's own status and caching headers.
 */
function passThrough(apiUrl: string, req: FastifyRequest, reply: FastifyReply) {
  const target = new URL(req.url, apiUrl);
  // Not Accept-Encoding: the theme compresses what it sends itself. Not the theme's API token: what passes through
  // stays exactly what an anonymous reader may fetch. The reader's address goes along, so an API that trusts the
  // theme as a proxy (TRUST_PROXY) rate-limits each reader's media and feed requests on their own.
  const pass = ['if-none-match', 'range', 'if-range', 'accept'];
  const headers: Record<string, string> = { host: req.hostname, 'x-forwarded-for': req.ip };
  for (const h of pass) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  return new Promise<void>((resolve) => {
    const upstream = httpRequest(target, { method: 'GET', headers }, (res) => {
      reply.code(res.statusCode ?? 502);
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined && !['connection', 'transfer-encoding', 'keep-alive'].includes(k)) reply.header(k, v);
      }
      reply.send(res);
      resolve();
    });
    upstream.on('error', () => {
      reply.code(502).send();
      resolve();
    });
    upstream.end();
  });
}

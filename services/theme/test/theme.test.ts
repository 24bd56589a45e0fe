/**
 * Issue 12, the reference theme in a real headless Chromium: the API and the theme on loopback, the demo city
 * with its published content, every page type visited by host name (miyi.localhost, edu.localhost — *.localhost
 * is loopback in Chromium), links followed, and axe-core run on each page (no serious or critical violations of
 * the WCAG 2.0 A/AA rules). Screenshots are saved for humans; the path is printed.
 */
import { mkdtempSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { type DemoContent, seedDemoContent } from '../src/demo-content.ts';
import { buildTheme } from '../src/server.ts';
import { launchChromium, seriousViolations } from './browser.ts';

let t: TestApp;
let content: DemoContent;
let themeClose: () => Promise<void>;
let themeApi: Awaited<ReturnType<typeof buildTheme>>['api'];
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let base: string; // http://miyi.localhost:<port>
let port: number;
let previewPath: string;
let withdrawnPath: string;
const shots = mkdtempSync(join(tmpdir(), 'zq-theme-shots-'));
const visited = new Set<string>();
const internalLinks = new Set<string>();

async function visit(path: string, name: string, host = base): Promise<number> {
  const res = await page.goto(`${host}${path}`, { waitUntil: 'load' });
  visited.add(new URL(page.url()).pathname);
  // Links to other addresses (a skip link's #main is the page itself).
  const hrefs = await page.$$eval('a[href]:not([href^="#"])', (as) =>
    as.map((a) => (a as unknown as { href: string }).href),
  );
  for (const href of hrefs) {
    const u = new URL(href);
    if (u.host === new URL(host).host && !u.pathname.startsWith('/_mode'))
      internalLinks.add(`${u.hostname} ${u.pathname}${u.search}`);
  }
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  return res?.status() ?? 0;
}

async function expectAccessible(label: string) {
  const v = await seriousViolations(page);
  expect(v, `${label}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
}

const text = (sel: string) => page.locator(sel).first().innerText();

/** A GET from Node with the site's Host (Node does not resolve *.localhost the way browsers do). */
function get(
  path: string,
  host = 'miyi.localhost',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  t = await startTestApp({ search: true });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const apiUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const seeded = await seedDemoContent(apiUrl);
  if (!seeded) throw new Error('the demo content was already there');
  content = seeded;
  // A second run finds the content and leaves it alone.
  expect(await seedDemoContent(apiUrl)).toBeNull();

  const admin = await t.tokenFor(demo.admin('miyi'));
  const editor = await t.tokenFor(demo.editor('miyi'));
  // A legacy URL from the import map (301), a withdrawn notice (410), a draft to preview, a site closing.
  const legacy = await t.gql(
    'mutation($e: [RedirectEntryInput!]!) { recordRedirects(site: "miyi", entries: $e) }',
    { e: [{ fromPath: '/art/2016/3/art_12.html', toItemId: content.article.id }] },
    admin,
  );
  expect(legacy.errors).toBeUndefined();
  const notices = await t.gql(
    '{ items(site: "miyi", column: "/zwdt/tzgg", state: PUBLISHED) { edges { node { id slug } } } }',
    {},
    admin,
  );
  const notice = notices.data!.items.edges[0].node;
  withdrawnPath = `/zwdt/tzgg/${notice.slug}.html`;
  const w = await t.gql(
    'mutation($id: ID!) { withdrawItem(id: $id, reason: "已过期") { state } }',
    { id: notice.id },
    await t.tokenFor(demo.approver('miyi')),
  );
  expect(w.errors).toBeUndefined();
  const draft = await t.gql(
    'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", slug: "draft-plan", kind: "ARTICLE", title: "米易县2026年重点工作安排（草稿）", body: "<p>草稿正文</p>", source: "县政府办" }) { id } }',
    {},
    editor,
  );
  const token = await t.gql(
    'mutation($id: ID!) { previewToken(itemId: $id) { token } }',
    { id: draft.data!.createItem.id },
    editor,
  );
  previewPath = `/zwdt/yw/draft-plan.html?preview=${encodeURIComponent(token.data!.previewToken.token)}`;
  const closing = await t.gql(
    'mutation { setSiteStatus(code: "edu", status: CLOSING, reason: "并入市政府门户网站") { status } }',
    {},
    await t.tokenFor(demo.platformAdmin),
  );
  expect(closing.errors).toBeUndefined();
  await t.syncSearch();

  // As in production: the theme calls the API with an API token, so the API counts it by that token.
  const apiToken = await t.gql(
    'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "参考主题", scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
    { e: new Date(Date.now() + 86_400_000).toISOString() },
    admin,
  );
  expect(apiToken.errors).toBeUndefined();
  const theme = await buildTheme({
    apiUrl,
    logger: Boolean(process.env.TEST_LOG),
    apiToken: apiToken.data!.createApiToken.token,
  });
  themeApi = theme.api;
  await theme.app.listen({ host: '127.0.0.1', port: 0 });
  port = (theme.app.server.address() as AddressInfo).port;
  themeClose = () => theme.app.close();
  base = `http://miyi.localhost:${port}`;
  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await ctx.newPage();
  console.log(`theme screenshots: ${shots}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await themeClose?.();
  await t?.close();
});

describe('the reference theme in Chromium', () => {
  it('renders the home page with the national meta tags, the footer marks and its own Chinese font', async () => {
    const fonts: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/assets/fonts/') && r.status() === 200) fonts.push(r.url());
    });
    expect(await visit('/', 'home')).toBe(200);
    expect(await page.title()).toBe('米易县人民政府');
    expect(await page.locator('meta[name="SiteIDCode"]').getAttribute('content')).toBe('5104210001');
    expect(await page.locator('meta[name="SiteName"]').getAttribute('content')).toBe('米易县人民政府');
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe('https://www.miyi.gov.cn/');
    const newest = await page.locator('.home-news li a').allInnerTexts();
    expect(newest[0]).toBe(content.interpretation.title);
    expect(newest).toContain(content.article.title);
    const foot = await text('footer');
    for (const s of ['主办单位', '米易县人民政府办公室', '网站标识码', '5104210001', 'ICP备案', '蜀ICP备00000002号'])
      expect(foot).toContain(s);
    expect(await page.locator('footer [aria-label="党政机关网站标识"]').count()).toBe(1);
    await page.evaluate(
      () => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready,
    );
    expect(fonts.length).toBeGreaterThan(0);
    await expectAccessible('home');
  });

  it('lists a column over two pages, newest first, with dates', async () => {
    expect(await visit('/zwdt/yw/', 'column')).toBe(200);
    expect(await text('h1')).toBe('米易要闻');
    const first = await page.locator('.list li').allInnerTexts();
    expect(first).toHaveLength(10);
    expect(first[0]).toMatch(new RegExp(`^${content.article.title}\\s+\\d{4}-\\d{2}-\\d{2}$`));
    expect(await page.locator('meta[name="ColumnName"]').getAttribute('content')).toBe('米易要闻');
    await expectAccessible('column');
    await page.click('a[rel="next"]');
    await page.waitForLoadState('load');
    const second = await page.locator('.list li a').allInnerTexts();
    expect(second).toHaveLength(content.newsCount - 10);
    expect(second).toContain('米易县召开2026年度优化营商环境工作推进会');
    await page.screenshot({ path: join(shots, 'column-page-2.png'), fullPage: true });
  });

  it('shows an article with its images and its PDF under its Chinese name', async () => {
    expect(await visit(content.article.path, 'article')).toBe(200);
    expect(await text('h1')).toBe(content.article.title);
    const pub = await page.locator('meta[name="PubDate"]').getAttribute('content');
    expect(pub).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await text('.byline')).toContain(`发布时间：${pub}`);
    expect(await page.locator('meta[name="ArticleTitle"]').getAttribute('content')).toBe(content.article.title);
    const imgs = page.locator('.article figure img');
    expect(await imgs.count()).toBe(2);
    await page.waitForFunction(() =>
      Array.from((globalThis as unknown as { document: { images: { complete: boolean }[] } }).document.images).every(
        (i) => i.complete,
      ),
    );
    const widths = await imgs.evaluateAll((els) =>
      els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth),
    );
    expect(widths).toEqual([640, 640]);
    expect(await imgs.first().getAttribute('alt')).toBe('招聘会现场');
    const link = page.locator('.attachments a');
    expect(await link.innerText()).toBe(content.attachmentName);
    const pdf = await get((await link.getAttribute('href'))!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toContain(encodeURIComponent(content.attachmentName));
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    await expectAccessible('article');
  });

  it('shows a policy document with its disclosure table and its interpretation, linked both ways', async () => {
    expect(await visit(content.policy.path, 'policy')).toBe(200);
    const cell = (th: string) => page.locator(`.doc-meta th:text-is("${th}") + td`).innerText();
    expect(await cell('索引号')).toMatch(/^11510421008851002X\/2026-\d+$/);
    expect(await cell('文号')).toBe(content.policy.docNumber);
    expect(await cell('发布机构')).toBe('米易县人民政府');
    expect(await cell('成文日期')).toBe('2026-03-02');
    expect(await cell('有效性')).toBe('有效');
    await expectAccessible('policy');
    await page.click(`.related a:text-is("${content.interpretation.title}")`);
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe(content.interpretation.path);
    expect(await page.locator('.related a').innerText()).toBe(content.policy.title);
    await page.screenshot({ path: join(shots, 'interpretation.png'), fullPage: true });
    await expectAccessible('interpretation');
  });

  it('passes an old URL through as a 301, and answers 410 and 404 with pages', async () => {
    const res = await get('/art/2016/3/art_12.html');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(content.article.path);
    await page.goto(`${base}/art/2016/3/art_12.html`);
    expect(new URL(page.url()).pathname).toBe(content.article.path);
    // The demo content's own legacy addresses, there from a fresh `./dev start`: one moved, one removed.
    expect((await get(content.legacy.moved)).headers.location).toBe(content.article.path);
    expect(await visit(content.legacy.removed, 'legacy-removed')).toBe(410);
    expect(await text('h1')).toBe('信息已撤销');
    expect(await text('main')).toContain('网站整合');
    // With the site's name, navigation and footer marks, like every other page (ID-03).
    expect(await text('.site-name')).toBe('米易县人民政府');
    expect(await page.locator('nav.nav a').count()).toBeGreaterThan(5);
    expect(await text('footer')).toContain('5104210001');
    await expectAccessible('legacy-removed');
    expect(await visit(withdrawnPath, 'gone')).toBe(410);
    expect(await text('h1')).toBe('信息已撤销');
    await expectAccessible('gone');
    expect(await visit('/no/such/page.html', 'not-found')).toBe(404);
    expect(await text('h1')).toBe('页面不存在');
    await expectAccessible('not-found');
  });

  it('shows a closing notice on a site that is closing', async () => {
    expect(await visit('/', 'closing', `http://edu.localhost:${port}`)).toBe(200);
    expect(await text('.closing')).toContain('关停公告');
    expect(await page.title()).toBe('攀枝花市教育局');
    await expectAccessible('closing');
  });

  it('previews a draft with its token only, never for caches', async () => {
    const res = await page.goto(`${base}${previewPath}`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['cache-control']).toBe('private, no-store');
    expect(await text('h1')).toBe('米易县2026年重点工作安排（草稿）');
    expect(await text('.preview')).toContain('预览');
    await page.screenshot({ path: join(shots, 'preview.png'), fullPage: true });
    await expectAccessible('preview');
    expect((await page.goto(`${base}/zwdt/yw/draft-plan.html`))?.status()).toBe(404);
    // The demo content's draft is not public either, until previewed.
    expect((await get(content.draft.path)).status).toBe(404);
  });

  it('searches without JavaScript (server side) and as you type with InstantSearch and the tenant token', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const p = await noJs.newPage();
    await p.goto(`${base}/`);
    await p.fill('#q-home', '招聘会');
    await p.click('form[role="search"] button');
    await p.waitForLoadState('load');
    expect(new URL(p.url()).pathname).toBe('/search');
    expect(await p.locator('#server-results .hits a').allInnerTexts()).toContain(content.article.title);
    expect(await p.locator('#instant').isVisible()).toBe(false);
    await p.screenshot({ path: join(shots, 'search-no-js.png'), fullPage: true });
    await noJs.close();

    expect(await visit('/search?q=招聘会', 'search')).toBe(200);
    await page.waitForSelector('#is-hits a');
    // One search box: InstantSearch's replaces the server form it enhances.
    expect(await page.locator('#server-form').isVisible()).toBe(false);
    expect(await page.locator('input[type="search"]:visible').count()).toBe(1);
    const hit = page.locator('#is-hits a', { hasText: content.article.title });
    expect(await hit.count()).toBe(1);
    await page.screenshot({ path: join(shots, 'search-instant.png'), fullPage: true });
    await expectAccessible('search');
    await hit.click();
    await page.waitForURL(`${base}${content.article.path}`);
  });

  it('switches to the 适老化 mode without JavaScript and stays accessible', async () => {
    await visit('/', 'before-elder');
    await page.click('a.mode');
    await page.waitForLoadState('load');
    expect(await page.locator('html').getAttribute('class')).toBe('elder');
    const size = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            getComputedStyle: (e: unknown) => { fontSize: string };
            document: { documentElement: unknown };
          }
        ).getComputedStyle(
          (globalThis as unknown as { document: { documentElement: unknown } }).document.documentElement,
        ).fontSize,
    );
    expect(size).toBe('20px');
    await page.screenshot({ path: join(shots, 'elder.png'), fullPage: true });
    await expectAccessible('elder');
    await page.click('a.mode');
    await page.waitForLoadState('load');
    expect(await page.locator('html').getAttribute('class')).toBeNull();
  });

  it('fits a phone screen (2015 §5)', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const p = await phone.newPage();
    await p.goto(`${base}${content.policy.path}`);
    const overflow = await p.evaluate(() => {
      const d = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document;
      return d.documentElement.scrollWidth - d.documentElement.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await p.screenshot({ path: join(shots, 'phone-policy.png'), fullPage: true });
    await phone.close();
  });

  it('sets cache headers and passes sitemaps and feeds through on the site host', async () => {
    const home = await get('/');
    expect(home.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
    const sitemap = await get('/sitemap.xml');
    expect(sitemap.status).toBe(200);
    expect(sitemap.body.toString()).toContain('<sitemapindex');
    const feed = await get('/feeds/zwdt/yw/rss.xml');
    expect(feed.status).toBe(200);
    expect(feed.body.toString()).toContain(content.article.title);
    // For the humans reading the screenshots: the sitemap and the feed as the browser shows them.
    for (const [path, name] of [
      ['/sitemap.xml', 'sitemap'],
      ['/feeds/zwdt/yw/rss.xml', 'feed'],
    ] as const) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status()).toBe(200);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    }
  });

  it('is rate-limited by its API token, not by its address, and keeps the API answers it was given', async () => {
    await t.app.rateLimitCounters.flush();
    const rows = await t.platform.systemCtx('test:rate-limit').em.execute<{ hits: number }[]>(
      // Summed over the windows (one a minute) this file spans.
      "select sum(hits)::int as hits from rate_limit_counter where key like 'token:%'",
    );
    // Every request the theme sent to the API (none when its cache was fresh) was counted by the token.
    expect(themeApi.stats.requests).toBeGreaterThan(0);
    expect(rows[0]?.hits).toBe(themeApi.stats.requests);
    expect(themeApi.stats.fresh + themeApi.stats.notModified).toBeGreaterThan(0);
  });

  it('has no broken internal links on the pages visited', async () => {
    const broken: string[] = [];
    for (const link of internalLinks) {
      const [host, href] = link.split(' ') as [string, string];
      const res = await get(href, host);
      if (res.status >= 400) broken.push(`${link} → ${res.status}`);
    }
    // The 410 and 404 pages were visited on purpose; links *on* pages must all resolve.
    expect(internalLinks.size).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});

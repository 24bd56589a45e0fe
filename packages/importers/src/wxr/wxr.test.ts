import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportEvent, LegacyColumn, LegacyItem, SourceInput } from '../record.ts';
import { createWxrAdapter, type WxrFile, wxrAdapter } from './adapter.ts';
import { generateWxr } from './generate.ts';

const here = dirname(fileURLToPath(import.meta.url));
// The shared corpora sit beside the repository (../shared/corpora; ZQ_CORPORA_DIR elsewhere). A checkout without
// them skips these tests, saying so; the generated exports (generateWxr) are tested everywhere.
const corpora = process.env.ZQ_CORPORA_DIR ?? resolve(here, '../../../../../shared/corpora');
const corpus = (name: string) => resolve(corpora, 'wordpress', name);
const haveCorpora = existsSync(corpus('themeunittestdata.wordpress.xml'));
if (!haveCorpora) console.warn(`[wxr.test] ${corpora} not found: the WordPress corpus tests are skipped`);
const tmp = mkdtempSync(join(tmpdir(), 'wxr-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function input(paths: string[]): SourceInput {
  return { paths, head: readFileSync(paths[0]!).subarray(0, 64 * 1024), isDirectory: false };
}

async function readAll(paths: string[], adapter = wxrAdapter, options = {}) {
  const source = await adapter.open(input(paths), options);
  const events: ImportEvent[] = [];
  for await (const e of source.read()) events.push(e);
  return { source, events, ...split(events) };
}

function split(events: ImportEvent[]) {
  return {
    items: events.flatMap((e) => (e.type === 'item' ? [e.item] : [])),
    columns: events.flatMap((e) => (e.type === 'column' ? [e.column] : [])),
    files: events.flatMap((e) => (e.type === 'file' ? [e.file as WxrFile] : [])),
    skipped: events.flatMap((e) => (e.type === 'skipped' ? [e] : [])),
    warnings: events.flatMap((e) => (e.type === 'warning' ? [e.warning] : [])),
  };
}

/**
 * What a file holds, counted independently of the adapter: a regex pass over `<item>…</item>`, the first
 * occurrence of each post id (or guid) counting, as WordPress's importer does.
 */
function grepCounts(path: string) {
  const xml = readFileSync(path, 'utf8');
  const field = (block: string, name: string) => {
    const m = new RegExp(`<wp:${name}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</wp:${name}>`).exec(block);
    return m ? m[1]!.trim() : '';
  };
  const seen = new Set<string>();
  const counts = { article: 0, page: 0, file: 0, navMenu: 0, draft: 0, scheduled: 0, private: 0, other: 0 };
  for (const m of xml.matchAll(/<item>([\s\S]*?)<\/item>/g)) {
    const block = m[1]!;
    const id = field(block, 'post_id') || /<guid[^>]*>([^<]*)<\/guid>/.exec(block)?.[1] || '';
    if (seen.has(id)) continue;
    seen.add(id);
    const type = field(block, 'post_type') || 'post';
    const status = field(block, 'status') || 'publish';
    const password = field(block, 'post_password');
    if (type === 'attachment') counts.file++;
    else if (type === 'nav_menu_item' || type === 'wp_navigation') counts.navMenu++;
    else if (type !== 'post' && type !== 'page') counts.other++;
    else if (status === 'draft') counts.draft++;
    else if (status === 'future') counts.scheduled++;
    else if (status === 'private' || password) counts.private++;
    else if (status === 'publish') counts[type === 'page' ? 'page' : 'article']++;
    else counts.other++;
  }
  return counts;
}

describe.skipIf(!haveCorpora)('the WordPress corpora', () => {
  for (const name of ['themeunittestdata.wordpress.xml', '64-block-test-data.xml', 'theme-preview.xml']) {
    it(`${name}: counts by kind and status match what the file holds`, async () => {
      const path = corpus(name);
      const expected = grepCounts(path);
      const { items, files, skipped } = await readAll([path]);
      const reasons = (r: string) => skipped.filter((s) => s.reason === r).length;
      expect({
        article: items.filter((i) => i.kind !== 'page').length,
        page: items.filter((i) => i.kind === 'page').length,
        file: files.length,
        navMenu: reasons('NAV_MENU'),
        draft: reasons('DRAFT'),
        scheduled: reasons('SCHEDULED'),
        private: reasons('PRIVATE'),
        other: reasons('UNSUPPORTED_TYPE'),
      }).toEqual(expected);
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item.status).toBe('published');
    });
  }

  it('https namespace (WordPress.com export): channel, categories with parents before their children, thumbnails', async () => {
    const path = corpus('themeunittestdata.wordpress.xml');
    expect(readFileSync(path, 'utf8')).toContain('xmlns:wp="https://wordpress.org/export/1.2/"');
    const { source, events, columns, items, files } = await readAll([path]);
    expect(source.system).toBe('wordpress');
    expect(source.siteName).toBeTruthy();
    expect(source.baseUrl).toMatch(/^https:\/\//);
    // Every column precedes every item; a parent precedes its children.
    const firstItem = events.findIndex((e) => e.type === 'item');
    expect(events.findLastIndex((e) => e.type === 'column')).toBeLessThan(firstItem);
    const order = new Map(columns.map((c, i) => [c.sourceId, i]));
    const children = columns.filter((c) => c.parentSourceId);
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) expect(order.get(c.parentSourceId!)).toBeLessThan(order.get(c.sourceId)!);
    // Every column an item names exists.
    for (const item of items) for (const c of item.columnSourceIds) expect(order.has(c)).toBe(true);
    // _thumbnail_id resolves to the attachment's URL.
    const withThumb = items.filter((i) => i.thumbnail);
    expect(withThumb.length).toBeGreaterThan(0);
    const urls = new Set(files.map((f) => f.url));
    for (const i of withThumb) expect(urls.has(i.thumbnail!.url)).toBe(true);
    // Old URLs: the permalink and ?p= / ?page_id=.
    const post = items.find((i) => i.kind === 'article')!;
    expect(post.oldUrls).toContain(`${source.baseUrl}/?p=${post.sourceId}`);
    const page = items.find((i) => i.kind === 'page')!;
    expect(page.oldUrls).toContain(`${source.baseUrl}/?page_id=${page.sourceId}`);
    // Greek page slugs stay percent-encoded as slugs; their permalinks are old URLs.
    expect(items.some((i) => /^%ce%b5/i.test(i.slug ?? ''))).toBe(true);
    // Nested pages keep their parent.
    expect(items.some((i) => i.kind === 'page' && i.extra?.parentSourceId)).toBe(true);
    // Attachments: a parent item, the attachment page as an old URL, a media type from the name.
    const attached = files.find((f) => f.itemSourceId)!;
    expect(attached.oldUrls.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.mediaType?.startsWith('image/')).length).toBeGreaterThan(0);
    // Comments are counted, not imported.
    expect(items.some((i) => (i.extra?.comments as { total: number } | undefined)?.total)).toBe(true);
  });

  it('Gutenberg block comments are gone from every body, the HTML inside stays', async () => {
    const path = corpus('64-block-test-data.xml');
    expect(readFileSync(path, 'utf8')).toContain('<!-- wp:');
    const { items } = await readAll([path]);
    for (const item of items) expect(item.bodyHtml).not.toMatch(/<!--\s*\/?wp:/);
    expect(items.filter((i) => /<p[\s>]/.test(i.bodyHtml)).length).toBeGreaterThan(10);
  });

  it('items without wp:post_id get ids from their guid, the same on every run', async () => {
    const path = corpus('theme-preview.xml');
    const a = await readAll([path]);
    const b = await readAll([path]);
    expect(a.items.length).toBeGreaterThan(0);
    expect(a.items.map((i) => i.sourceId)).toEqual(b.items.map((i) => i.sourceId));
    expect(new Set(a.items.map((i) => i.sourceId)).size).toBe(a.items.length);
    const guid = /<guid[^>]*>([^<]*)<\/guid>/.exec(readFileSync(path, 'utf8'))![1]!;
    expect(a.items[0]!.sourceId).toBe(`g${createHash('sha1').update(guid).digest('hex').slice(0, 16)}`);
  });

  it('read() twice yields the same events (plan, then commit)', async () => {
    const source = await wxrAdapter.open(input([corpus('64-block-test-data.xml')]), {});
    const once = async () => {
      const out: ImportEvent[] = [];
      for await (const e of source.read()) out.push(e);
      return out;
    };
    const first = await once();
    expect(await once()).toEqual(first);
  });
});

const NS = (v: string, scheme = 'http') =>
  `xmlns:excerpt="${scheme}://wordpress.org/export/${v}/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" ` +
  `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="${scheme}://wordpress.org/export/${v}/"`;

interface Sample {
  id?: string | null;
  title: string;
  type?: string;
  status?: string;
  date?: string;
  gmt?: string;
  content?: string;
  guid?: string;
  cats?: string;
  meta?: [string, string][];
  extra?: string;
}

function item(s: Sample): string {
  return (
    `<item><title>${s.title}</title><link>http://old.gov.cn/?p=${s.id ?? 'x'}</link>` +
    `<dc:creator><![CDATA[管理员]]></dc:creator><guid isPermaLink="false">${s.guid ?? `http://old.gov.cn/?p=${s.id}`}</guid>` +
    `<content:encoded><![CDATA[${s.content ?? '正文'}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>` +
    (s.id === null ? '' : `<wp:post_id>${s.id}</wp:post_id>`) +
    `<wp:post_date>${s.date ?? '2015-03-02 09:30:00'}</wp:post_date><wp:post_date_gmt>${s.gmt ?? '0000-00-00 00:00:00'}</wp:post_date_gmt>` +
    `<wp:status>${s.status ?? 'publish'}</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>${s.type ?? 'post'}</wp:post_type>` +
    `${s.cats ?? ''}${(s.meta ?? []).map(([k, v]) => `<wp:postmeta><wp:meta_key>${k}</wp:meta_key><wp:meta_value><![CDATA[${v}]]></wp:meta_value></wp:postmeta>`).join('')}` +
    `${s.extra ?? ''}</item>\n`
  );
}

function wxr(name: string, version: string, body: string, opts: { scheme?: string; decl?: string } = {}): string {
  const path = join(tmp, name);
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="${opts.decl ?? 'UTF-8'}"?>\n<rss version="2.0" ${NS(version, opts.scheme)}>\n<channel>\n` +
      `<title>某县人民政府</title><link>http://old.gov.cn</link><wp:wxr_version>${version}</wp:wxr_version>` +
      `<wp:base_site_url>http://old.gov.cn</wp:base_site_url><wp:base_blog_url>http://old.gov.cn</wp:base_blog_url>\n${body}</channel>\n</rss>\n`,
  );
  return path;
}

const CATS =
  '<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>zwgk</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[政务公开]]></wp:cat_name></wp:category>\n' +
  // A child listed before its parent, with a percent-encoded UTF-8 nicename and no name.
  '<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>%e9%80%9a%e7%9f%a5</wp:category_nicename><wp:category_parent>gzdt</wp:category_parent><wp:cat_name></wp:cat_name></wp:category>\n' +
  '<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>gzdt</wp:category_nicename><wp:category_parent>zwgk</wp:category_parent><wp:cat_name><![CDATA[工作动态]]></wp:cat_name></wp:category>\n';

describe('WXR 1.0 / 1.1 on the http namespace', () => {
  it('reads a 1.0 export: categories by nicename, domain-less duplicates ignored, local dates in +08:00', async () => {
    const path = wxr(
      'v10.xml',
      '1.0',
      '<wp:author><wp:author_login>管理员</wp:author_login><wp:author_display_name><![CDATA[县政府办公室]]></wp:author_display_name></wp:author>\n' +
        CATS +
        item({
          id: '7',
          title: '关于开展安全生产大检查的通知',
          // WXR 1.0 wrote each category twice: domain-less and with domain/nicename.
          cats:
            '<category><![CDATA[工作动态]]></category><category domain="category" nicename="gzdt"><![CDATA[工作动态]]></category>' +
            '<category domain="tag"><![CDATA[安全]]></category><category domain="post_tag" nicename="anquan"><![CDATA[安全]]></category>',
          content: '各乡镇：\n\n请于3日内报送。\n联系人：张三',
        }),
    );
    const { columns, items, events } = await readAll([path]);
    expect(events[0]).toMatchObject({ type: 'encoding', encoding: 'utf-8' });
    const byId = new Map<string, LegacyColumn>(columns.map((c) => [c.sourceId, c]));
    expect(byId.get('cat:gzdt')).toMatchObject({ name: '工作动态', parentSourceId: 'cat:zwgk' });
    expect(byId.get('cat:%e9%80%9a%e7%9f%a5')).toMatchObject({
      name: '通知',
      slug: '%e9%80%9a%e7%9f%a5',
      parentSourceId: 'cat:gzdt',
    });
    expect(columns.map((c) => c.sourceId)).toEqual(['cat:zwgk', 'cat:gzdt', 'cat:%e9%80%9a%e7%9f%a5']);
    expect(byId.get('cat:zwgk')!.oldUrls).toEqual(['http://old.gov.cn/category/zwgk/', 'http://old.gov.cn/?cat=3']);
    expect(byId.get('cat:%e9%80%9a%e7%9f%a5')!.oldUrls[0]).toBe(
      'http://old.gov.cn/category/zwgk/gzdt/%e9%80%9a%e7%9f%a5/',
    );
    const it0 = items[0]!;
    expect(it0).toMatchObject({
      sourceId: '7',
      columnSourceIds: ['cat:gzdt'],
      tags: ['安全'],
      author: '县政府办公室',
      publishedAt: '2015-03-02T09:30:00+08:00',
      bodyHtml: '<p>各乡镇：</p>\n<p>请于3日内报送。<br />\n联系人：张三</p>',
    });
    expect(it0.oldUrls).toEqual(['http://old.gov.cn/?p=7']);
  });

  it('reads a 1.1 export and takes post_date_gmt when present; the zone is an option', async () => {
    const path = wxr(
      'v11.xml',
      '1.1',
      item({ id: '1', title: 'GMT', date: '2015-03-02 09:30:00', gmt: '2015-03-02 01:30:00' }) +
        item({ id: '2', title: '本地', date: '2015-03-02 09:30:00' }) +
        item({ id: '3', title: '无日期', date: '0000-00-00 00:00:00' }),
    );
    const { items, warnings } = await readAll([path]);
    expect(items.map((i) => i.publishedAt)).toEqual(['2015-03-02T09:30:00+08:00', '2015-03-02T09:30:00+08:00', null]);
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'BAD_DATE', sourceId: '3' }));
    const utc = await readAll([path], createWxrAdapter({ timeZoneOffset: '+00:00' }));
    expect(utc.items.map((i) => i.publishedAt)).toEqual([
      '2015-03-02T01:30:00+00:00',
      '2015-03-02T09:30:00+00:00',
      null,
    ]);
    const viaOptions = await readAll([path], wxrAdapter, { timeZoneOffset: '-05:00' });
    expect(viaOptions.items[1]!.publishedAt).toBe('2015-03-02T09:30:00-05:00');
  });

  it('refuses a file whose wp: prefix is bound to a foreign namespace', async () => {
    const path = join(tmp, 'foreign.xml');
    writeFileSync(
      path,
      '<?xml version="1.0"?><rss xmlns:wp="http://example.com/not-wordpress/"><channel><title>x</title>' +
        '<item><title>a</title><wp:post_id>1</wp:post_id></item></channel></rss>',
    );
    await expect(wxrAdapter.open(input([path]), {})).rejects.toMatchObject({ code: 'WXR_NOT_WORDPRESS' });
  });

  it('skips what is not published content, with reasons', async () => {
    const path = wxr(
      'statuses.xml',
      '1.2',
      ['draft', 'pending', 'private', 'trash', 'future', 'auto-draft']
        .map((status, i) => item({ id: String(10 + i), title: status, status }))
        .join('') +
        item({ id: '20', title: '菜单', type: 'nav_menu_item' }) +
        item({ id: '21', title: '修订', type: 'revision', status: 'inherit' }) +
        item({ id: '22', title: '产品', type: 'product' }) +
        item({ id: '23', title: '加密', extra: '<wp:post_password>secret</wp:post_password>' }) +
        item({ id: '24', title: '发布' }),
    );
    const { items, skipped } = await readAll([path]);
    expect(items.map((i) => i.sourceId)).toEqual(['24']);
    expect(skipped.map((s) => [s.sourceId, s.reason])).toEqual([
      ['10', 'DRAFT'],
      ['11', 'PENDING'],
      ['12', 'PRIVATE'],
      ['13', 'TRASH'],
      ['14', 'SCHEDULED'],
      ['15', 'DRAFT'],
      ['20', 'NAV_MENU'],
      ['21', 'REVISION'],
      ['22', 'UNSUPPORTED_TYPE'],
      ['23', 'PRIVATE'],
    ]);
  });
});

describe('several files of one export', () => {
  it('are read as one source, each post once', async () => {
    const a = wxr('part1.xml', '1.2', CATS + item({ id: '1', title: '一' }) + item({ id: '2', title: '二' }));
    // Split exports repeat the header and may repeat items at the boundary.
    const b = wxr('part2.xml', '1.2', CATS + item({ id: '2', title: '二' }) + item({ id: '3', title: '三' }));
    const { items, columns, events } = await readAll([a, b]);
    expect(items.map((i) => i.sourceId)).toEqual(['1', '2', '3']);
    expect(columns).toHaveLength(3);
    expect(events.filter((e) => e.type === 'encoding')).toHaveLength(2);
  });

  it('a later part may have no channel header at all; its items still find the columns of the first part', async () => {
    const a = wxr('head.xml', '1.2', CATS + item({ id: '1', title: '一' }));
    const b = join(tmp, 'tail.xml');
    writeFileSync(
      b,
      `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ${NS('1.2')}><channel>` +
        item({
          id: '5',
          title: '五',
          cats: '<category domain="category" nicename="gzdt"><![CDATA[工作动态]]></category>',
        }) +
        '</channel></rss>',
    );
    const { items, source } = await readAll([a, b]);
    expect(source.siteName).toBe('某县人民政府');
    expect(items.map((i) => [i.sourceId, i.columnSourceIds])).toEqual([
      ['1', []],
      ['5', ['cat:gzdt']],
    ]);
  });
});

describe('malformed exports', () => {
  it('are recovered by the lenient parser; items after the error are flagged for review', async () => {
    const path = wxr(
      'broken.xml',
      '1.2',
      item({ id: '1', title: '完好' }) +
        // A CDATA section nested in CDATA (the first ]]> ends it early), then an unclosed <wp:status>.
        item({ id: '2', title: '嵌套', content: '外层<![CDATA[内层]]>尾巴' }) +
        '<item><title>未闭合</title><wp:post_id>3</wp:post_id><wp:status>publish<wp:post_type>post</wp:post_type>' +
        '<content:encoded><![CDATA[<p>正文</p>]]></content:encoded></item>\n' +
        item({ id: '4', title: '之后' }),
    );
    const { items, warnings } = await readAll([path]);
    const byId = new Map<string, LegacyItem>(items.map((i) => [i.sourceId, i]));
    expect(byId.get('1')?.flaggedForReview).toBeUndefined();
    expect(byId.get('4')?.flaggedForReview).toBe(true);
    expect(byId.get('4')?.title).toBe('之后');
    const flagged = items.filter((i) => i.flaggedForReview);
    expect(flagged.length).toBeGreaterThanOrEqual(2);
    for (const i of flagged)
      expect(warnings).toContainEqual(expect.objectContaining({ code: 'MALFORMED_XML', sourceId: i.sourceId }));
    expect(warnings.some((w) => w.code === 'MALFORMED_XML' && !w.sourceId)).toBe(true);
  });
});

describe('control characters pasted from Word', () => {
  it('are removed and counted; the file is still read strictly, nothing is flagged', async () => {
    const path = wxr(
      'controls.xml',
      '1.2',
      item({ id: '1', title: '通\u000b知', content: '<p>第一段\u000b第二段\u0001</p>' }) +
        item({ id: '2', title: '之后' }),
    );
    const { items, warnings } = await readAll([path]);
    expect(items.map((i) => [i.title, i.bodyHtml, i.flaggedForReview])).toEqual([
      ['通知', '<p>第一段第二段</p>', undefined],
      ['之后', '<p>正文</p>', undefined],
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'CONTROL_CHARS_REMOVED', message: expect.stringContaining(' 3 ') }),
    ]);
  });
});

describe('encodings', () => {
  const gbkBody = (decl: string) =>
    iconv.encode(
      `<?xml version="1.0" encoding="${decl}"?>\n<rss version="2.0" ${NS('1.1')}>\n<channel><title>米易县人民政府</title>` +
        `<link>http://old.gov.cn</link><wp:wxr_version>1.1</wp:wxr_version>\n` +
        item({ id: '9', title: '关于做好秋冬季森林防火工作的通知', content: '<p>各乡（镇）人民政府：</p>' }) +
        '</channel></rss>\n',
      'gbk',
    );

  it('reads a GBK export as declared', async () => {
    const path = join(tmp, 'gbk.xml');
    writeFileSync(path, gbkBody('GBK'));
    const { source, items, events } = await readAll([path]);
    expect(events[0]).toMatchObject({ type: 'encoding', encoding: 'gb18030', how: 'declared' });
    expect(source.siteName).toBe('米易县人民政府');
    expect(items[0]).toMatchObject({
      title: '关于做好秋冬季森林防火工作的通知',
      bodyHtml: '<p>各乡（镇）人民政府：</p>',
    });
  });

  it('reads a generated GBK export whole', async () => {
    const path = join(tmp, 'gen-gbk.xml');
    const gen = await generateWxr({ path, items: 60, seed: 3, encoding: 'gbk' });
    expect(readFileSync(path).includes(Buffer.from('政务公开', 'utf8'))).toBe(false);
    const { items, skipped, files, columns, events } = await readAll([path]);
    expect(events[0]).toMatchObject({ type: 'encoding', encoding: 'gb18030' });
    expect(items.length + skipped.length).toBe(gen.posts + gen.pages);
    expect(skipped).toHaveLength(gen.unpublished);
    expect(files).toHaveLength(gen.attachments);
    expect(columns.map((c) => c.name)).toContain('政务公开');
    for (const i of items) expect(i.title).toMatch(/[\u4e00-\u9fff]/);
    expect(items.some((i) => i.govMeta?.docNumber?.includes('〔'))).toBe(true);
  });

  it('checks the declaration against the bytes: GBK bytes declared UTF-8 are read as GBK', async () => {
    const path = join(tmp, 'gbk-lying.xml');
    writeFileSync(path, gbkBody('UTF-8'));
    const { items, events } = await readAll([path]);
    expect(events[0]).toMatchObject({ type: 'encoding', encoding: 'gb18030' });
    expect(items[0]!.title).toBe('关于做好秋冬季森林防火工作的通知');
  });
});

describe('postmeta', () => {
  it('decodes PHP-serialised values and refuses serialised objects without running anything', async () => {
    let constructed = 0;
    // A class of the name the payload asks for exists globally: it must still never be instantiated.
    (globalThis as Record<string, unknown>).Evil = class {
      constructor() {
        constructed++;
      }
    };
    try {
      const path = wxr(
        'meta.xml',
        '1.2',
        item({
          id: '1',
          title: '带元数据',
          meta: [
            ['文号', '米府办发〔2015〕12号'],
            ['来源', '县应急管理局'],
            ['联系方式', 'a:2:{s:6:"电话";s:12:"0812-8171234";s:4:"list";a:2:{i:0;i:1;i:1;s:1:"x";}}'],
            ['payload', 'O:4:"Evil":1:{s:3:"cmd";s:6:"whoami";}'],
            ['proto', 'a:1:{s:9:"__proto__";a:1:{s:5:"admin";b:1;}}'],
            ['_edit_lock', '1420070400:1'],
          ],
        }),
      );
      const { items, warnings } = await readAll([path]);
      const it0 = items[0]!;
      expect(it0.kind).toBe('document');
      expect(it0.govMeta).toEqual({ docNumber: '米府办发〔2015〕12号' });
      expect(it0.source).toBe('县应急管理局');
      expect((it0.extra!.meta as Record<string, unknown>)['联系方式']).toEqual({
        电话: '0812-8171234',
        list: [1, 'x'],
      });
      expect(it0.extra?.meta).not.toHaveProperty('payload');
      expect(it0.extra?.meta).not.toHaveProperty('_edit_lock');
      expect(warnings).toContainEqual(expect.objectContaining({ code: 'PHP_SERIALIZED_REFUSED', sourceId: '1' }));
      expect(constructed).toBe(0);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    } finally {
      delete (globalThis as Record<string, unknown>).Evil;
    }
  });

  it('_thumbnail_id resolves to an attachment that comes later in the file; attachments become files', async () => {
    const path = wxr(
      'thumb.xml',
      '1.2',
      item({ id: '1', title: '有图', meta: [['_thumbnail_id', '2']] }) +
        item({
          id: '2',
          title: '现场图片',
          type: 'attachment',
          status: 'inherit',
          guid: 'http://old.gov.cn/wp-content/uploads/2015/03/a.jpg',
          extra: '<wp:attachment_url>http://old.gov.cn/wp-content/uploads/2015/03/a.jpg</wp:attachment_url>',
          meta: [['_wp_attachment_metadata', 'a:3:{s:5:"width";i:640;s:6:"height";i:480;s:8:"filesize";i:53211;}']],
        }).replace('<wp:post_parent>0</wp:post_parent>', '<wp:post_parent>1</wp:post_parent>'),
    );
    const { items, files } = await readAll([path]);
    expect(items[0]!.thumbnail).toEqual({
      url: 'http://old.gov.cn/wp-content/uploads/2015/03/a.jpg',
      name: '现场图片',
    });
    expect(items[0]!.attachments).toEqual([
      { url: 'http://old.gov.cn/wp-content/uploads/2015/03/a.jpg', name: '现场图片', mediaType: 'image/jpeg' },
    ]);
    expect(files[0]).toMatchObject({
      sourceId: '2',
      url: 'http://old.gov.cn/wp-content/uploads/2015/03/a.jpg',
      name: 'a.jpg',
      mediaType: 'image/jpeg',
      size: 53211,
      itemSourceId: '1',
    });
    expect(files[0]!.oldUrls).toContain('http://old.gov.cn/?attachment_id=2');
  });
});

describe('sniff', () => {
  it('recognises WXR by its namespace', () => {
    const wxr = join(tmp, 'sniff.xml');
    writeFileSync(
      wxr,
      '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">' +
        '<channel><title>x</title><wp:wxr_version>1.2</wp:wxr_version></channel></rss>',
    );
    expect(wxrAdapter.sniff(input([wxr]))).toBe(0.95);
    if (haveCorpora) expect(wxrAdapter.sniff(input([corpus('theme-preview.xml')]))).toBe(0.95);
    const other = join(tmp, 'rss.xml');
    writeFileSync(other, '<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>');
    expect(wxrAdapter.sniff(input([other]))).toBe(0);
    expect(wxrAdapter.sniff({ paths: [tmp], head: null, isDirectory: true })).toBe(0);
  });
});

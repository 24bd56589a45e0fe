import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { craftZip } from '../files/zip-craft.test-helper.ts';
import type { ImportEvent, ImportSource, LegacyColumn, LegacyItem, SourceInput } from '../record.ts';
import { staticSiteAdapter } from './adapter.ts';
import { parseLegacyDate } from './dates.ts';
import { extractDetail, parsePage } from './page.ts';
import { writeSnapshot } from './snapshot.test-helper.ts';
import { columnChain, resolveLink, urlHint } from './urls.ts';

let dir: string;
let site: string;
let written: Map<string, Buffer>;

let lastSource: ImportSource | null = null;
async function collect(input: SourceInput, baseUrls: string[] = []): Promise<ImportEvent[]> {
  const source = await staticSiteAdapter.open(input, { baseUrls });
  lastSource = source;
  const events: ImportEvent[] = [];
  for await (const e of source.read()) events.push(e);
  return events;
}
const items = (events: ImportEvent[]) =>
  new Map(events.flatMap((e) => (e.type === 'item' ? [[e.item.sourceId, e.item] as [string, LegacyItem]] : [])));
const columns = (events: ImportEvent[]) =>
  new Map(
    events.flatMap((e) => (e.type === 'column' ? [[e.column.sourceId, e.column] as [string, LegacyColumn]] : [])),
  );
const text = (html: string) => html.replace(/<[^>]*>/g, '');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zq-static-'));
  site = join(dir, 'site');
  written = await writeSnapshot(site);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the static-site adapter on a folder snapshot (TRS, Hanweb, DedeCMS and hand-made pages)', () => {
  let events: ImportEvent[];
  beforeAll(async () => {
    events = await collect({ paths: [site], head: null, isDirectory: true });
  });

  it('the snapshot really holds GBK pages (the fixture is not read as UTF-8 by accident)', () => {
    const bytes = written.get('zwgk/tzgg/202103/t20210305_123.html')!;
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });

  it('emits every column before the first item, parents before children', () => {
    const firstItem = events.findIndex((e) => e.type === 'item');
    const lastColumn = events.findLastIndex((e) => e.type === 'column');
    expect(firstItem).toBeGreaterThan(lastColumn);
    const order = events.flatMap((e) => (e.type === 'column' ? [e.column.sourceId] : []));
    expect(order.indexOf('zwgk')).toBeLessThan(order.indexOf('zwgk/tzgg'));
  });

  it('infers the column tree from directories, names from ColumnName, breadcrumbs and list titles', () => {
    const cols = columns(events);
    expect(cols.get('zwgk/tzgg')).toMatchObject({
      name: '通知公告',
      slug: 'tzgg',
      parentSourceId: 'zwgk',
      kind: 'list',
      description: '县政府及部门发布的通知公告',
      // index_2.html was not crawled: createPageHTML(3, …) says it existed
      oldUrls: ['/zwgk/tzgg/', '/zwgk/tzgg/index.html', '/zwgk/tzgg/index_1.html', '/zwgk/tzgg/index_2.html'],
    });
    // No list page of its own: named by the breadcrumbs 首页 > 政务公开 > 通知公告 of its children.
    expect(cols.get('zwgk')).toMatchObject({ name: '政务公开', parentSourceId: null });
    // Hanweb: /col/col7/ and /art/…/art_7_*.html are one column.
    expect(cols.get('col/col7')).toMatchObject({ name: '工作动态', slug: 'col7' });
    expect(cols.get('col/col7')!.oldUrls).toContain('/col/col7/index.html');
    // DedeCMS: /a/ is not a column (no page, no name); a/news is, named from its GBK list page.
    expect(cols.has('a')).toBe(false);
    expect(cols.get('a/news')).toMatchObject({ name: '新闻中心', parentSourceId: null });
    // list_1_2/3.html come from the pager's links
    expect(cols.get('a/news')!.oldUrls).toEqual([
      '/plus/list.php?tid=1', // the same list, dynamic (DedeCMS)
      '/a/news/list_1_1.html',
      '/a/news/list_1_2.html',
      '/a/news/list_1_3.html',
    ]);
    // Date directories (202103, 2019/0305, 2018) are never columns.
    for (const key of cols.keys()) expect(key).not.toMatch(/(^|\/)\d+($|\/)/);
  });

  it('reads a TRS detail page: national metadata, the 信息公开 table, the body without chrome', () => {
    const item = items(events).get('/zwgk/tzgg/202103/t20210305_123.html')!;
    expect(item).toMatchObject({
      kind: 'document',
      status: 'published',
      title: '关于做好2021年春季森林草原防灭火工作的通知',
      publishedAt: '2021-03-05T10:20:00+08:00',
      source: '米易县人民政府办公室',
      author: '县应急管理局',
      keywords: ['森林防火', '草原防火', '春季'],
      columnSourceIds: ['zwgk/tzgg'],
      oldUrls: ['/zwgk/tzgg/202103/t20210305_123.html'],
      govMeta: {
        indexNumber: '008765432/2021-00123',
        docNumber: '米府办发〔2021〕5号',
        issuingBody: '米易县人民政府办公室',
        writtenAt: '2021-03-01',
        issuedAt: '2021-03-05',
        topic: '综合政务/应急管理',
      },
    });
    expect(text(item.bodyHtml)).toContain('当前已进入春季森林草原防火紧要期');
    // 落款 and layout kept as found (the platform's sanitiser decides about styles)
    expect(item.bodyHtml).toContain('text-align:right');
    for (const chrome of [
      '打印本页',
      '关闭窗口',
      '扫一扫',
      '分享到',
      '上一篇',
      'TRS_Editor P{',
      '索引号',
      'unescape',
      '当前位置',
    ]) {
      expect(item.bodyHtml).not.toContain(chrome);
    }
    // Relative links resolved against the page, so the file store can find them.
    expect(item.bodyHtml).toContain('src="/zwgk/tzgg/202103/W020210305123456.jpg"');
    expect(item.attachments).toEqual([
      {
        url: '/zwgk/tzgg/202103/P020210305456789.pdf',
        name: '附件1：米易县春季森林草原防火责任表.pdf',
        mediaType: 'application/pdf',
      },
    ]);
    const images = events.filter((e) => e.type === 'file' && e.file.itemSourceId === item.sourceId);
    expect(images).toHaveLength(1);
  });

  it('reads a TRS page without metadata from its byline (发布时间, 信息来源) and keeps merged table cells', () => {
    const item = items(events).get('/zwgk/tzgg/202103/t20210306_124.html')!;
    expect(item).toMatchObject({
      kind: 'article',
      title: '米易县2021年第一季度重点项目推进情况',
      publishedAt: '2021-03-06T09:00:00+08:00',
      source: '县发展和改革局',
      govMeta: null,
      columnSourceIds: ['zwgk/tzgg'],
    });
    expect(item.bodyHtml).toContain('rowspan="2"');
    expect(item.bodyHtml).not.toContain('打印');
  });

  it('reads a Hanweb page: the body between the ZJEG_RSS markers, attachments from the 附件 block', () => {
    const item = items(events).get('/art/2021/3/5/art_7_13195.html')!;
    expect(item).toMatchObject({
      title: '县政府召开2021年第3次常务会议',
      publishedAt: '2021-03-05T16:30:00+08:00',
      source: '县政府办',
      columnSourceIds: ['col/col7'],
      extra: { extraction: 'ZJEG_RSS' },
    });
    expect(text(item.bodyHtml)).toContain('传达学习全国两会精神');
    expect(item.bodyHtml).not.toContain('字体');
    expect(item.bodyHtml).not.toContain('县政府召开2021年第3次常务会议');
    expect(item.attachments).toEqual([
      {
        url: '/module/download/downfile.jsp?classid=0&filename=2103051630456.doc',
        name: '会议纪要.doc',
        mediaType: 'application/msword',
      },
    ]);
  });

  it('reads a GBK DedeCMS article and joins its second page (12_2.html) into one item', () => {
    const all = items(events);
    const item = all.get('/a/news/2019/0305/12.html')!;
    expect(item).toMatchObject({
      title: '丙谷镇召开2019年脱贫攻坚推进会',
      publishedAt: '2019-03-05T15:42:00+08:00',
      source: '丙谷镇党政办',
      author: '李明',
      summary: '3月5日，丙谷镇召开2019年脱贫攻坚推进会。',
      columnSourceIds: ['a/news'],
      // the dynamic URL from the page's hit counter (/plus/count.php?…aid=12)
      oldUrls: ['/a/news/2019/0305/12.html', '/plus/view.php?aid=12', '/a/news/2019/0305/12_2.html'],
    });
    expect(text(item.bodyHtml)).toContain('镇村干部及驻村工作队员共60余人参加会议');
    expect(text(item.bodyHtml)).toContain('逐项整改');
    expect(item.attachments?.map((a) => a.name)).toEqual(['丙谷镇2019年脱贫攻坚任务清单.doc']);
    expect(all.has('/a/news/2019/0305/12_2.html')).toBe(false);
  });

  it('falls back to Readability on a hand-made table page, with the title from <title> and an unlabelled date', () => {
    const item = items(events).get('/news/2018/chunjie.html')!;
    expect(item).toMatchObject({
      title: '关于2018年春节放假的通知',
      publishedAt: '2018-02-01T00:00:00+08:00',
      columnSourceIds: ['news'],
      extra: { extraction: 'readability' },
    });
    expect(text(item.bodyHtml)).toContain('2月15日至21日放假调休');
    expect(item.bodyHtml).not.toContain('版权所有');
    expect(item.bodyHtml).not.toContain('联系我们');
    expect(events).toContainEqual({
      type: 'warning',
      warning: expect.objectContaining({ code: 'TITLE_FROM_HEAD', sourceId: '/news/2018/chunjie.html' }),
    });
  });

  it('reads extension-less pages when they are HTML, and ignores other files', () => {
    const item = items(events).get('/xxgk/zcjd')!;
    expect(item).toMatchObject({
      title: '《米易县农村人居环境整治实施方案》政策解读',
      publishedAt: '2020-08-02T00:00:00+08:00',
      source: '县农业农村局',
      columnSourceIds: ['xxgk'],
    });
    expect(events.some((e) => 'sourceId' in e && e.sourceId === '/README')).toBe(false);
  });

  it('skips list pages, the home page and the search page with reasons', () => {
    const skipped = new Map(events.flatMap((e) => (e.type === 'skipped' ? [[e.sourceId, e.reason]] : [])));
    expect(skipped.get('/zwgk/tzgg/index.html')).toBe('LIST_PAGE');
    expect(skipped.get('/zwgk/tzgg/index_1.html')).toBe('LIST_PAGE');
    expect(skipped.get('/col/col7/index.html')).toBe('LIST_PAGE');
    expect(skipped.get('/a/news/list_1_1.html')).toBe('LIST_PAGE');
    expect(skipped.get('/index.html')).toBe('UNSUPPORTED_TYPE');
    expect(skipped.get('/search.html')).toBe('UNSUPPORTED_TYPE');
    expect(items(events).size).toBe(6);
  });

  it('reports the encodings found: GBK declared, and UTF-8 where a page declares gb2312 but is UTF-8', () => {
    const enc = events.flatMap((e) => (e.type === 'encoding' ? [`${e.encoding}/${e.how}`] : []));
    expect(enc).toContain('gb18030/declared');
    expect(enc).toContain('utf-8/utf8-valid'); // /index.html says gb2312, holds UTF-8
    expect(enc).toContain('utf-8/declared');
  });

  it('knows the old site from its SiteName and SiteDomain metadata', () => {
    expect(lastSource).toMatchObject({
      system: 'static',
      siteName: '米易县人民政府',
      baseUrl: 'http://www.miyi.gov.cn',
    });
  });

  it('yields the same events when read twice (plan, then commit)', async () => {
    const source = await staticSiteAdapter.open({ paths: [site], head: null, isDirectory: true }, {});
    const first: ImportEvent[] = [];
    for await (const e of source.read()) first.push(e);
    const second: ImportEvent[] = [];
    for await (const e of source.read()) second.push(e);
    expect(second).toEqual(first);
    expect(first).toEqual(events);
  });
});

describe('the static-site adapter on a zip snapshot', () => {
  it('reads the same site from a zip whose pages sit under the host folder (a wget mirror)', async () => {
    const mirror = join(dir, 'mirror');
    const files = await writeSnapshot(mirror, 'www.miyi.gov.cn');
    const zipPath = join(dir, 'site.zip');
    await writeFile(
      zipPath,
      await craftZip([
        ...[...files].map(([name, data]) => ({ name, data, compress: true })),
        { name: '../evil/index.html', data: '<html><body>owned</body></html>' },
      ]),
    );
    const head = (await readFile(zipPath)).subarray(0, 64 * 1024);
    const input = { paths: [zipPath], head, isDirectory: false };
    expect(staticSiteAdapter.sniff(input)).toBeGreaterThanOrEqual(0.6);
    const events = await collect(input, ['http://www.miyi.gov.cn']);
    expect(events).toContainEqual({
      type: 'warning',
      warning: {
        code: 'FILE_REFUSED',
        message: '../evil/index.html: refused (TRAVERSAL)',
        sourceId: '../evil/index.html',
      },
    });
    // A second read of the same source reopens the zip (each read closes it when done).
    const zipSource = lastSource!;
    const again: ImportEvent[] = [];
    for await (const e of zipSource.read()) again.push(e);
    expect(again).toEqual(events);
    const fromFolder = await collect({ paths: [site], head: null, isDirectory: true });
    const strip = (es: ImportEvent[]) => es.filter((e) => e.type === 'item' || e.type === 'column');
    expect(strip(events).length).toBeGreaterThan(0);
    // Same sourceIds and content: the wrapper folder is not part of the site's paths.
    const byId = (es: ImportEvent[]) =>
      strip(es)
        .map((e) => JSON.stringify(e))
        .sort();
    expect(byId(events)).toEqual(byId(fromFolder));
  });
});

describe('multi-page TRS documents', () => {
  it('joins t…_123_1.html (page 2 in TRS numbering) into t…_123.html', async () => {
    const root = join(dir, 'trs-multi');
    await mkdir(join(root, 'zwgk', '202103'), { recursive: true });
    const page = (n: number, text: string) =>
      `<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="米易县国民经济和社会发展统计公报">
       <meta name="PubDate" content="2021-03-07 09:00"></head><body><div class="TRS_Editor"><p>${text}</p></div>
       <div class="page">共2页 <a href="t20210307_125.html">1</a> <a href="t20210307_125_1.html">2</a></div>
       <p>上一篇：<a href="./t20210306_124.html">x</a></p>${n}</body></html>`;
    await writeFile(join(root, 'zwgk', '202103', 't20210307_125.html'), page(1, '一、综合。全年地区生产总值增长。'));
    await writeFile(join(root, 'zwgk', '202103', 't20210307_125_1.html'), page(2, '二、农业。粮食产量保持稳定。'));
    // an extension-less binary file is not a page
    await writeFile(join(root, 'zwgk', 'DATA'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    const events = await collect({ paths: [root], head: null, isDirectory: true });
    const all = items(events);
    expect([...all.keys()]).toEqual(['/zwgk/202103/t20210307_125.html']);
    const item = all.get('/zwgk/202103/t20210307_125.html')!;
    expect(item.oldUrls).toEqual(['/zwgk/202103/t20210307_125.html', '/zwgk/202103/t20210307_125_1.html']);
    expect(text(item.bodyHtml)).toContain('全年地区生产总值增长');
    expect(text(item.bodyHtml)).toContain('粮食产量保持稳定');
    expect(events.some((e) => e.type === 'warning')).toBe(false);
  });
});

describe('sniff', () => {
  it('is 0.8 for a TRS/Hanweb-like folder, 0.6 for plain HTML, 0 for a folder of uploads', async () => {
    expect(staticSiteAdapter.sniff({ paths: [site], head: null, isDirectory: true })).toBe(0.8);
    const plain = join(dir, 'plain');
    await mkdir(join(plain, 'news'), { recursive: true });
    await writeFile(join(plain, 'index.html'), '<html><body>home</body></html>');
    await writeFile(join(plain, 'news', 'a.html'), '<html><body><p>x</p></body></html>');
    expect(staticSiteAdapter.sniff({ paths: [plain], head: null, isDirectory: true })).toBe(0.6);
    const uploads = join(dir, 'uploads-only');
    await mkdir(uploads, { recursive: true });
    await writeFile(join(uploads, 'a.jpg'), 'x');
    await writeFile(join(uploads, 'b.pdf'), 'x');
    expect(staticSiteAdapter.sniff({ paths: [uploads], head: null, isDirectory: true })).toBe(0);
    // A streamed zip (sizes in data descriptors, as Windows' own zipper writes them): names still found.
    const streamed = new yazl.ZipFile();
    for (const name of ['index.html', 'zwgk/tzgg/202103/t20210305_123.html', 'zwgk/tzgg/index.html']) {
      streamed.addReadStream(Readable.from([Buffer.from('<html><body>x</body></html>')]), name);
    }
    streamed.end();
    const chunks: Buffer[] = [];
    for await (const c of streamed.outputStream) chunks.push(c as Buffer);
    const zipHead = Buffer.concat(chunks);
    expect(zipHead.readUInt16LE(6) & 0x08).toBe(0x08);
    expect(staticSiteAdapter.sniff({ paths: ['/s.zip'], head: zipHead, isDirectory: false })).toBe(0.8);
    const xml = new TextEncoder().encode('<?xml version="1.0"?><rss>');
    expect(staticSiteAdapter.sniff({ paths: ['/x.xml'], head: xml, isDirectory: false })).toBe(0);
  });
});

describe('page heuristics', () => {
  it('knows the generators’ URL rules and column directories', () => {
    expect(urlHint('zwgk/tzgg/202103/t20210305_123.html')).toBe('detail');
    expect(urlHint('art/2021/3/5/art_7_13195.html')).toBe('detail');
    expect(urlHint('a/news/2019/0305/12.html')).toBe('detail');
    expect(urlHint('zwgk/tzgg/index_2.html')).toBe('list');
    expect(urlHint('a/news/list_1_2.html')).toBe('list');
    expect(urlHint('index.html')).toBe('home');
    expect(columnChain('zwgk/tzgg/202103/t20210305_123.html')).toEqual(['zwgk', 'zwgk/tzgg']);
    expect(columnChain('art/2021/3/5/art_7_13195.html')).toEqual(['col/col7']);
    expect(columnChain('show-12-345-1.html')).toEqual(['category-12']);
    expect(resolveLink('./P0202103.pdf', 'zwgk/202103/t1.html')).toBe('/zwgk/202103/P0202103.pdf');
    expect(resolveLink('../../../../x.jpg', 'a/b.html')).toBe('/x.jpg');
    expect(resolveLink('%D6%D0.doc', 'a/b.html')).toBe('/a/%D6%D0.doc');
    expect(resolveLink('http://www.old.gov.cn/a.pdf', 'a/b.html')).toBe('http://www.old.gov.cn/a.pdf');
  });

  it('parses the date forms of legacy pages as China time', () => {
    expect(parseLegacyDate('2022-04-17 14:46:00')).toBe('2022-04-17T14:46:00+08:00');
    expect(parseLegacyDate('2020年08月02日')).toBe('2020-08-02T00:00:00+08:00');
    expect(parseLegacyDate('2019/3/5')).toBe('2019-03-05T00:00:00+08:00');
    expect(parseLegacyDate('2019-02-30')).toBeNull();
    expect(parseLegacyDate('2021-03-05T02:20:00Z')).toBe('2021-03-05T02:20:00+00:00');
  });

  it('tells a list page by its repeating dated links even without URL or metadata', () => {
    const rows = Array.from(
      { length: 10 },
      (_, i) => `<li><a href="/x/${i}.html">通知${i}</a><span>2021-01-0${(i % 9) + 1}</span></li>`,
    );
    const page = parsePage(
      `<html><body><ul>${rows.join('')}</ul><div>共5页 下一页 尾页</div></body></html>`,
      'x/more.htm',
    );
    expect(page.signals.kind).toBe('list');
    const article = parsePage(
      `<html><body><h1>标题</h1><div class="info">发布时间：2020-01-02 来源：县政府</div><div id="zoom"><p>${'正文'.repeat(80)}</p></div><a href="/x/1.html">上一篇：别的</a></body></html>`,
      'x/abc.htm',
    );
    expect(article.signals.kind).toBe('detail');
  });

  it('reads a 信息公开 block split over two label columns (<strong>label</strong>：value), 文号：无 as none', async () => {
    // The layout of the Handan disclosure pages (legacy-formats.md §10, kevin3691/renmin), rewritten here.
    const html = `<html><head><meta charset="utf-8">
      <meta name="ArticleTitle" content="某市教育局关于印发安全专项整治三年行动实施方案的通知">
      <meta name="PubDate" content="2020年08月02日"><meta name="ContentSource" content="某市教育局"></head><body>
      <div class="container content"><div class="top cf">
        <div class="top-l fl"><p><strong>索引号</strong>：000014348/2020-35147</p><p><strong>发布机构</strong>：某市教育局</p>
          <p><strong>名称</strong>：某市教育局关于印发安全专项整治三年行动实施方案的通知</p><p><strong>文号</strong>：无</p>
          <!--<p><strong>主题词</strong>：安全</p>--></div>
        <div class="top-r fr"><p><strong>主题分类</strong>：教育</p><!--<p><strong>成文日期</strong>：2020年08月02日</p>-->
          <p><strong>发布日期</strong>：2020年08月02日</p></div></div>
      <div class="TRS_Editor"><p>各县（市、区）教育局：现将实施方案印发给你们，请认真贯彻落实。</p></div></div></body></html>`;
    const d = await extractDetail(parsePage(html, 'gszbm/auto23716/202008/t20200802_1352104.html'), null);
    expect(d.govMeta).toEqual({
      indexNumber: '000014348/2020-35147',
      docNumber: null,
      issuingBody: '某市教育局',
      writtenAt: null,
      issuedAt: '2020-08-02',
      topic: '教育',
    });
    expect(d.publishedAt).toBe('2020-08-02T00:00:00+08:00');
    expect(d.bodyHtml).not.toContain('索引号');
  });

  it('reads a 信息公开 table with <th> labels and strips it from a generic .content body', async () => {
    const html = `<html><head><meta charset="utf-8"><title>关于公布2019年行政许可事项目录的通知_县政府文件_某县人民政府</title></head><body>
      <div class="content"><table class="xxgk"><tr><th>索引号</th><td>11510421MB1234567X/2019-00012</td><th>分类</th><td>行政许可</td></tr>
      <tr><th>发文机关</th><td>某县人民政府</td><th>成文日期</th><td>2019-06-28</td></tr>
      <tr><th>发文字号</th><td>某府发〔2019〕12号</td><th>发布日期</th><td>2019-07-01</td></tr></table>
      <h1>关于公布2019年行政许可事项目录的通知</h1>
      <p>各乡镇人民政府，县级各部门：经县政府研究，现将2019年行政许可事项目录予以公布。本目录自公布之日起施行，请遵照执行。</p>
      <p style="text-align:right">某县人民政府</p><p style="text-align:right">2019年6月28日</p></div></body></html>`;
    const d = await extractDetail(parsePage(html, 'xxgk/zfwj/201907/t20190701_12.html'), null);
    expect(d.title).toBe('关于公布2019年行政许可事项目录的通知');
    expect(d.govMeta).toEqual({
      indexNumber: '11510421MB1234567X/2019-00012',
      docNumber: '某府发〔2019〕12号',
      issuingBody: '某县人民政府',
      writtenAt: '2019-06-28',
      issuedAt: '2019-07-01',
      topic: '行政许可',
    });
    // 发布日期 of the block, not the 落款 date in the body
    expect(d.publishedAt).toBe('2019-07-01T00:00:00+08:00');
    expect(d.source).toBe('某县人民政府');
    expect(d.bodyHtml).not.toContain('索引号');
    expect(d.bodyHtml).not.toContain('<h1>');
    expect(d.bodyHtml).toContain('行政许可事项目录予以公布');
  });

  it('reads a Hanweb page titled "站名 栏目 标题" with only Maketime, and drops the ContentStart/End metas', async () => {
    const html = `<html><head><meta charset="utf-8"><meta name="SiteName" content="某某市人民政府">
      <meta name="Maketime" content="2024-07-25 09:12:30"><title>某某市人民政府 通知公告 关于开展防汛演练的通知</title></head>
      <body><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart"><p>　　为提高防汛应急处置能力，定于7月26日开展防汛演练，请各单位做好准备。</p><meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></body></html>`;
    const page = parsePage(html, 'art/2024/7/25/art_7_13195.html');
    expect(page.signals.kind).toBe('detail');
    const d = await extractDetail(page, '某某市人民政府');
    expect(d.title).toBe('关于开展防汛演练的通知');
    expect(d.publishedAt).toBe('2024-07-25T09:12:30+08:00');
    expect(d.bodyHtml).not.toMatch(/<meta/i);
  });

  it('does not take a generic .content wrapper full of navigation for the body', async () => {
    const nav = Array.from({ length: 30 }, (_, i) => `<a href="/lm${i}/">栏目名称${i}</a>`).join(' ');
    const html = `<html><head><meta charset="utf-8"><title>关于开展消防安全检查的通知_某镇人民政府</title></head><body>
      <div class="content"><div class="menu">${nav}</div>
      <table><tr><td><font size="4"><b>关于开展消防安全检查的通知</b></font></td></tr>
      <tr><td>发布时间：2017-11-02 来源：镇安监办</td></tr>
      <tr><td><p>各村（社区）：为切实做好冬季消防安全工作，镇政府决定在全镇范围内开展消防安全大检查，重点检查人员密集场所、生产经营单位和居民自建房的消防设施和安全通道，请各村认真组织，确保检查不走过场。</p>
      <p>检查时间为11月5日至11月30日，检查结果请于12月5日前报镇安监办。</p></td></tr></table>
      <div class="footer">版权所有 某镇人民政府</div></div></body></html>`;
    const page = parsePage(html, 'news/2017/xfjc.html');
    expect(page.signals.kind).toBe('detail');
    const d = await extractDetail(page, null);
    expect(d.via).toBe('readability');
    expect(d.publishedAt).toBe('2017-11-02T00:00:00+08:00');
    expect(d.source).toBe('镇安监办');
    expect(d.bodyHtml).toContain('开展消防安全大检查');
    expect(d.bodyHtml).not.toContain('栏目名称');
    expect(d.bodyHtml).not.toContain('发布时间');
    expect(d.bodyHtml).not.toContain('版权所有');
  });

  it('keeps the text of a generic body that wraps the 信息公开 block, and never dates from inside a Readability body', async () => {
    const html = `<html><head><meta charset="utf-8"><title>某县关于做好秋冬季森林防火工作的通知 - 某县人民政府</title></head><body>
      <div class="menu"><a href="/">首页</a> <a href="/xxgk/">信息公开</a></div>
      <table width="900"><tr><td><font size="4">某县关于做好秋冬季森林防火工作的通知</font></td></tr>
      <tr><td><p>各乡镇：会议时间：2018年10月20日上午9时。为做好秋冬季森林防火工作，现就有关事项通知如下，请各地认真贯彻落实，确保不发生重大森林火灾，切实保护人民群众生命财产安全和森林资源安全。</p>
      <p>一、加强组织领导（数据来源：县林业局 ）。二、强化火源管控。三、做好应急准备，各乡镇要组建扑火队伍，储备扑火物资，确保一旦发生火情能够迅速处置。</p></td></tr></table>
      <div class="foot">发布日期：2018-10-15 维护：县政府办</div></body></html>`;
    const d = await extractDetail(parsePage(html, 'xxgk/tzgg/fire.html'), null);
    expect(d.via).toBe('readability');
    // 2018-10-20 is inside the body (a meeting date); the page's own date is in its footer.
    expect(d.publishedAt).toBe('2018-10-15T00:00:00+08:00');
    expect(d.source).toBeNull(); // 数据来源 in the body is not the page's 来源

    const wrapped = `<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="关于印发某某办法的通知"></head><body>
      <div id="zoom"><div class="wrap"><table><tr><td>索引号：</td><td>123/2020-1</td><td>文号：</td><td>某府发〔2020〕1号</td></tr></table>
      <p>${'各乡镇人民政府，县级各部门：现将某某办法印发给你们，请认真遵照执行。'.repeat(3)}</p></div></div></body></html>`;
    const w = await extractDetail(parsePage(wrapped, 'xxgk/2020/a.html'), null);
    expect(w.bodyHtml).toContain('现将某某办法印发给你们');
    expect(w.bodyHtml).not.toContain('索引号');
    expect(w.govMeta?.docNumber).toBe('某府发〔2020〕1号');
  });
});

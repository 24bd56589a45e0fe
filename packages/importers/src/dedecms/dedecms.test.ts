import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportEvent, LegacyItem } from '../record.ts';
import { readHead } from '../sql/read.ts';
import type { DumpEncoding, DumpStyle } from '../sql/dump-writer.ts';
import { phpcmsAdapter } from '../phpcms/adapter.ts';
import { dedecmsAdapter, fullTitleFromBody } from './adapter.ts';
import { type DedeGenOptions, dedeArticle, dedeBody, generateDedecms } from './generate.ts';
import { joinDedePages } from './urls.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'h11-dede-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function generate(o: Partial<DedeGenOptions> & { style: DumpStyle; encoding: DumpEncoding }) {
  const outDir = join(root, `d${++n}`);
  return generateDedecms({ outDir, items: 45, ...o });
}

async function read(files: string[], encoding?: string): Promise<ImportEvent[]> {
  const src = await dedecmsAdapter.open({ paths: files, head: null, isDirectory: false }, { encoding });
  const out: ImportEvent[] = [];
  for await (const e of src.read()) out.push(e);
  return out;
}
const items = (ev: ImportEvent[]) =>
  new Map(ev.flatMap((e) => (e.type === 'item' ? [[e.item.sourceId, e.item] as const] : [])));
const skipped = (ev: ImportEvent[]) =>
  new Map(ev.flatMap((e) => (e.type === 'skipped' ? [[e.sourceId, e.reason] as const] : [])));
const warnings = (ev: ImportEvent[], code: string) =>
  ev.flatMap((e) => (e.type === 'warning' && e.warning.code === code ? [e.warning] : []));

const STYLES: DumpStyle[] = ['mysqldump', 'phpmyadmin', 'navicat', 'dede-backup', 'empirebak'];

describe('dedecmsAdapter: every dump style, both encodings', () => {
  for (const style of STYLES)
    for (const encoding of ['gbk', 'utf-8'] as const)
      it(`${style} in ${encoding}: columns first, every published article with its exact body`, async () => {
        const g = await generate({ style, encoding, items: 52, volumeBytes: 40_000 });
        const ev = await read(g.files);
        const enc = ev.filter((e) => e.type === 'encoding');
        expect(enc.length).toBe(g.files.length);
        for (const e of enc) expect(e.type === 'encoding' && e.encoding).toBe(encoding === 'gbk' ? 'gb18030' : 'utf-8');
        const firstItem = ev.findIndex((e) => e.type === 'item');
        const lastColumn = ev.findLastIndex((e) => e.type === 'column');
        expect(lastColumn).toBeLessThan(firstItem);
        expect(ev.filter((e) => e.type === 'column')).toHaveLength(g.counts.columns);
        const got = items(ev);
        // published articles + the one single page (机构概况, arctype.content)
        expect(got.size).toBe(g.counts.published + 1);
        for (let i = 1; i <= 52; i++) {
          const a = dedeArticle(i);
          if (a.arcrank !== 0 || a.channel !== 1) continue;
          const item = got.get(String(i))!;
          expect(item.title).toBe(a.fullTitle); // cut ones restored from the body
          // the GBK 0x5C trap (誠 D5 5C, 謀 D6 5C), quotes, backslashes and CR/LF all survive
          expect(item.bodyHtml).toBe(joinDedePages(dedeBody(a)).html);
        }
        expect(got.get('5')!.bodyHtml).toContain(
          '「誠信為本，謀定後動」；文件存放路径 D:\\公文\\2012\\，标题中的\'单引号\'与"双引号"',
        );
        expect([...skipped(ev).values()].sort()).toEqual(['PENDING', 'PRIVATE', 'TRASH', 'UNSUPPORTED_TYPE']);
        expect(ev.filter((e) => e.type === 'file')).toHaveLength(g.counts.uploads);
        expect(ev.filter((e) => e.type === 'warning' && e.warning.code.startsWith('SQL_'))).toEqual([]);
      });
});

describe('dedecmsAdapter: records', () => {
  let ev: ImportEvent[];
  let got: Map<string, LegacyItem>;
  let uploads: string;
  beforeAll(async () => {
    uploads = join(root, 'site');
    const g = await generate({ style: 'mysqldump', encoding: 'gbk', items: 100, uploadsDir: uploads });
    ev = await read(g.files);
    got = items(ev);
  });

  const day = (ts: number) => {
    const d = new Date((ts + 8 * 3600) * 1000).toISOString();
    return { y: d.slice(0, 4), md: d.slice(5, 7) + d.slice(8, 10) };
  };

  it('rebuilds article URLs from the column rule with senddate (not pubdate), plus the dynamic forms', () => {
    const a = dedeArticle(7); // re-published a day later: pubdate = senddate + 1 day
    expect(a.pubdate - a.senddate).toBe(86400);
    const s = day(a.senddate);
    const p = day(a.pubdate);
    const urls = got.get('7')!.oldUrls;
    expect(urls).toContain(`/a/zwgk/tzgg/${s.y}/${s.md}/7.html`);
    expect(urls).not.toContain(`/a/zwgk/tzgg/${p.y}/${p.md}/7.html`);
    expect(urls).toContain('/plus/view.php?aid=7');
    expect(urls).toContain('/plus/view-7-1.html');
    // 政策文件 has the older {typedir}/{Y}{M}{D}/{aid}.html rule
    const b = dedeArticle(1);
    expect(b.typeid).toBe(3);
    expect(got.get('1')!.oldUrls[0]).toBe(`/a/zwgk/zcwj/${day(b.senddate).y}${day(b.senddate).md}/1.html`);
  });

  it('gives pages of a split article their _N.html and pageno URLs, and joins the #p# pages', () => {
    const item = got.get('10')!;
    const first = item.oldUrls[0]!;
    expect(first).toMatch(/\/10\.html$/);
    expect(item.oldUrls).toContain(first.replace('.html', '_2.html'));
    expect(item.oldUrls).toContain(first.replace('.html', '_3.html'));
    expect(item.oldUrls).toContain('/plus/view.php?aid=10&pageno=3');
    expect(item.bodyHtml).not.toContain('#p#');
    expect(item.bodyHtml).not.toContain('分页标题');
    expect(item.bodyHtml).toContain('<h2>第三部分 保障措施</h2>');
    expect(item.extra?.pages).toBe(3);
  });

  it('uses only dynamic URLs for ismake=-1 articles, and a custom filename when set', () => {
    expect(got.get('26')!.oldUrls.filter((u) => /\d\.html$/.test(u) && !u.startsWith('/plus'))).toEqual([]);
    expect(got.get('26')!.oldUrls[0]).toBe('/plus/view.php?aid=26');
    const a = dedeArticle(97);
    expect(a.filename).toBe('notice97');
    expect(a.typeid).toBe(3); // {typedir}/{Y}{M}{D}/{aid}.html: the file name replaces the last segment
    expect(got.get('97')!.oldUrls[0]).toBe(`/a/zwgk/zcwj/${day(a.senddate).y}${day(a.senddate).md}/notice97.html`);
  });

  it('gives columns their list URLs by isdefault/ispart/namerule2', () => {
    const cols = new Map(ev.flatMap((e) => (e.type === 'column' ? [[e.column.sourceId, e.column] as const] : [])));
    expect(cols.get('2')!.oldUrls).toEqual(
      expect.arrayContaining([
        '/plus/list.php?tid=2',
        '/a/zwgk/tzgg/index.html',
        '/a/zwgk/tzgg/list_2_1.html',
        '/a/zwgk/tzgg/list_2_2.html',
      ]),
    );
    expect(cols.get('3')!.oldUrls).not.toContain('/a/zwgk/zcwj/index.html'); // isdefault 0: no index page
    expect(cols.get('5')!.oldUrls).toEqual(['/plus/list.php?tid=5']); // dynamic column
    expect(cols.get('7')).toMatchObject({ kind: 'link', oldUrls: ['/plus/list.php?tid=7'] });
    expect(cols.get('6')).toMatchObject({ kind: 'page', parentSourceId: '1' });
    expect(cols.get('2')).toMatchObject({ name: '通知公告', slug: 'tzgg', parentSourceId: '1', kind: 'list' });
    expect(got.get('arctype-6')).toMatchObject({
      kind: 'page',
      columnSourceIds: ['6'],
      oldUrls: ['/a/zwgk/jggk/index.html'],
    });
  });

  it('maps the fields: China-time dates, writer, source, keywords, thumbnail, second column', () => {
    const a = dedeArticle(57);
    const item = got.get('57')!;
    expect(item.publishedAt).toBe(`${new Date((a.pubdate + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`);
    expect(item).toMatchObject({
      author: a.writer,
      source: a.source,
      summary: a.description,
      kind: 'article',
      status: 'published',
    });
    expect(item.keywords).toEqual(a.keywords.split(','));
    expect(item.thumbnail?.url).toBe(a.litpic);
    expect(got.get('38')!.columnSourceIds).toEqual([String(dedeArticle(38).typeid), '4']); // typeid2
  });

  it('skips pending (-1), recycle-bin (-2), members-only and non-article channels with reasons', () => {
    const s = skipped(ev);
    expect(s.get('31')).toBe('PENDING');
    expect(s.get('37')).toBe('TRASH');
    expect(s.get('41')).toBe('PRIVATE');
    expect(s.get('50')).toBe('UNSUPPORTED_TYPE');
    expect(got.has('31') || got.has('37') || got.has('41') || got.has('50')).toBe(false);
    expect(warnings(ev, 'UNSUPPORTED_CHANNEL')[0]!.message).toMatch(/channel 3 \(软件\)/);
  });

  it('restores titles cut by char(60) from the body, with a warning', () => {
    expect(warnings(ev, 'TITLE_RESTORED').map((w) => w.sourceId)).toEqual(['23', '46', '69', '92']);
    const a = dedeArticle(23);
    expect([...a.title]).toHaveLength(60);
    expect(a.fullTitle.length).toBeGreaterThan(60);
    expect(got.get('23')!.title).toBe(a.fullTitle);
    expect(warnings(ev, 'TITLE_TRUNCATED')).toEqual([]);
  });

  it('warns when a cut title cannot be restored', () => {
    expect(fullTitleFromBody('米易县关于', '<p>另一个标题</p>')).toBeNull();
    expect(
      fullTitleFromBody(
        '米易县关于',
        '<p style="text-align:center"><strong>米易县关于<span>印发</span>方案的通知</strong></p>',
      ),
    ).toBe('米易县关于印发方案的通知');
  });

  it('lists uploads as files of their article, present in the uploads folder', async () => {
    const files = ev.flatMap((e) => (e.type === 'file' ? [e.file] : []));
    const f = files.find((x) => x.itemSourceId === '8' && x.url.endsWith('.doc'))!;
    expect(f).toMatchObject({ mediaType: 'application/msword', name: expect.stringContaining('附件1') });
    expect((await readFile(join(uploads, f.url))).subarray(0, 5).toString()).toBe('{\\rtf');
    expect(existsSync(join(uploads, dedeArticle(53).uploads[0]!.url))).toBe(false); // left out on purpose
  });
});

describe('dedecmsAdapter: sources as found', () => {
  it('repairs GBK mojibake from a latin1 table exported as UTF-8, with a warning per record', async () => {
    const g = await generate({ style: 'mysqldump', encoding: 'utf-8', mojibake: true, items: 12 });
    const raw = (await readFile(g.files[0]!)).toString('utf8');
    expect(raw).not.toContain('通知');
    const ev = await read(g.files);
    const got = items(ev);
    expect(got.get('2')!.title).toBe(dedeArticle(2).title);
    expect(got.get('2')!.bodyHtml).toBe(joinDedePages(dedeBody(dedeArticle(2))).html);
    expect(ev.filter((e) => e.type === 'column' && e.column.name === '通知公告')).toHaveLength(1);
    expect(warnings(ev, 'MOJIBAKE_REPAIRED').map((w) => w.sourceId)).toContain('2');
  });

  it('reads any table prefix, {cmspath} included', async () => {
    const g = await generate({ style: 'navicat', encoding: 'gbk', prefix: 'gov_', cmspath: '/cms', items: 8 });
    const ev = await read(g.files);
    const a = dedeArticle(2);
    expect(a.typeid).toBe(4); // 部门动态, typedir {cmspath}/a/bmdt
    const d = new Date((a.senddate + 8 * 3600) * 1000).toISOString();
    expect(items(ev).get('2')!.oldUrls[0]).toBe(
      `/cms/a/bmdt/${d.slice(0, 4)}/${d.slice(5, 7)}${d.slice(8, 10)}/2.html`,
    );
    const h = await generate({ style: 'mysqldump', encoding: 'utf-8', prefix: '#@__', items: 4 });
    expect(items(await read(h.files)).size).toBeGreaterThan(1);
  });

  it('is sniffed from the first bytes or the volume names, and not taken for PHPCMS', async () => {
    const g = await generate({ style: 'mysqldump', encoding: 'gbk', items: 3 });
    const head = await readHead(g.files[0]!, 64 * 1024);
    const input = { paths: g.files, head, isDirectory: false };
    expect(dedecmsAdapter.sniff(input)).toBeGreaterThanOrEqual(0.9);
    expect(phpcmsAdapter.sniff(input)).toBe(0);
    const e = await generate({ style: 'empirebak', encoding: 'gbk', items: 3 });
    // A folder: the volume names, or the head of its first dump file naming a DedeCMS table (issue 11).
    expect(dedecmsAdapter.sniff({ paths: [dirname(dirname(e.files[0]!))], head: null, isDirectory: true })).toBe(0.95);
    // DedeCMS's own backup folder: tables_struct_<hex>.txt and <table>_<startpos>_<hex>.txt
    const d = await generate({ style: 'dede-backup', encoding: 'gbk', items: 3 });
    expect(d.files.map((f) => f.slice(dirname(f).length + 1))).toContainEqual(
      expect.stringMatching(/^dede_archives_0_[0-9a-f]{16}\.txt$/),
    );
    expect(d.files[0]).toMatch(/tables_struct_[0-9a-f]{16}\.txt$/);
    expect(
      dedecmsAdapter.sniff({ paths: [dirname(d.files[0]!)], head: null, isDirectory: true }),
    ).toBeGreaterThanOrEqual(0.9);
    // A folder holding a plain mysqldump (`dump.sql`: no table in its name) is known by the dump's first bytes,
    // not left to the bundle adapter.
    expect(dedecmsAdapter.sniff({ paths: [dirname(g.files[0]!)], head: null, isDirectory: true })).toBe(0.95);
    expect(phpcmsAdapter.sniff({ paths: [dirname(g.files[0]!)], head: null, isDirectory: true })).toBe(0);
  });

  it('follows a forced encoding', async () => {
    const g = await generate({ style: 'mysqldump', encoding: 'gbk', items: 3 });
    const ev = await read(g.files, 'gbk');
    expect(ev[0]).toMatchObject({ type: 'encoding', encoding: 'gb18030', how: 'declared' });
  });

  it('warns on a truncated dump and keeps what was complete', async () => {
    const g = await generate({ style: 'mysqldump', encoding: 'gbk', items: 30 });
    const { truncate, stat } = await import('node:fs/promises');
    const size = (await stat(g.files[0]!)).size;
    await truncate(g.files[0]!, size - 2000); // inside the last table, uploads
    const ev = await read(g.files);
    expect(warnings(ev, 'SQL_TRUNCATED')).toHaveLength(1);
    expect(items(ev).size).toBe(g.counts.published + 1);
    const files = ev.filter((e) => e.type === 'file').length;
    expect(files).toBeGreaterThan(0);
    expect(files).toBeLessThan(g.counts.uploads);
  });

  it('reads custom article models (a channeltype with its own addon table) with their own fields', async () => {
    const { writeFile } = await import('node:fs/promises');
    const path = join(root, 'custom-model.sql');
    await writeFile(
      path,
      [
        'CREATE TABLE `dede_addon17` (`aid` int(8), `typeid` int(5), `body` mediumtext, `wenhao` varchar(60), `fabujigou` varchar(60), `redirecturl` varchar(255), `templet` varchar(30), `userip` char(15));',
        "INSERT INTO `dede_addon17` VALUES (2,1,'<p>正文</p>','米府发〔2015〕3号','米易县人民政府','','','');",
        'CREATE TABLE `dede_addonarticle` (`aid` int(8), `typeid` int(5), `body` mediumtext, `redirecturl` varchar(255), `templet` varchar(30), `userip` char(15));',
        "INSERT INTO `dede_addonarticle` VALUES (1,1,'<p>一</p>','','','');",
        'CREATE TABLE `dede_archives` (`id` int(8), `typeid` int(5), `channel` int(5), `arcrank` int(5), `ismake` int(5), `title` char(60), `pubdate` int(10), `senddate` int(10));',
        "INSERT INTO `dede_archives` VALUES (1,1,1,0,1,'普通文章',1420070400,1420070400),(2,1,17,0,1,'政策文件',1420070400,1420070400),(3,1,2,0,1,'图片集',1420070400,1420070400);",
        'CREATE TABLE `dede_arctype` (`id` int(5), `reid` int(5), `typename` char(30), `typedir` char(60), `namerule` char(50));',
        "INSERT INTO `dede_arctype` VALUES (1,0,'政策文件','{cmspath}/a/zcwj','{typedir}/{Y}/{M}{D}/{aid}.html');",
        'CREATE TABLE `dede_channeltype` (`id` int(5), `nid` varchar(20), `typename` varchar(30), `addtable` varchar(50));',
        "INSERT INTO `dede_channeltype` VALUES (1,'article','普通文章','dede_addonarticle'),(2,'image','图片集','dede_addonimages'),(17,'zcwj','政策文件模型','dede_addon17');",
      ].join('\n'),
    );
    const ev = await read([path]);
    const got = items(ev);
    expect([...got.keys()].sort()).toEqual(['1', '2']);
    expect(got.get('2')).toMatchObject({
      bodyHtml: '<p>正文</p>',
      oldUrls: expect.arrayContaining(['/a/zcwj/2015/0101/2.html']),
    });
    expect(got.get('2')!.extra?.fields).toEqual({ wenhao: '米府发〔2015〕3号', fabujigou: '米易县人民政府' });
    expect(skipped(ev).get('3')).toBe('UNSUPPORTED_TYPE');
  });

  it('reads a gzipped dump as handed over (dump.sql.gz), sniffed through the compression', async () => {
    const { createGzip } = await import('node:zlib');
    const { pipeline } = await import('node:stream/promises');
    const { createReadStream, createWriteStream } = await import('node:fs');
    const g = await generate({ style: 'mysqldump', encoding: 'gbk', items: 20 });
    const gz = `${g.files[0]}.gz`;
    await pipeline(createReadStream(g.files[0]!), createGzip(), createWriteStream(gz));
    const plain = items(await read(g.files));
    const zipped = await read([gz]);
    expect(zipped[0]).toMatchObject({ type: 'encoding', encoding: 'gb18030', how: 'declared' });
    expect(items(zipped)).toEqual(plain);
    const head = (await readFile(gz)).subarray(0, 4096);
    expect(dedecmsAdapter.sniff({ paths: [gz], head, isDirectory: false })).toBe(0.95);
  });

  it('refuses a file that holds no DedeCMS table, with a stable code', async () => {
    const { writeFile } = await import('node:fs/promises');
    const path = join(root, 'not-dede.sql');
    await writeFile(path, 'CREATE TABLE `wp_posts` (`ID` int(11));\nINSERT INTO `wp_posts` VALUES (1);\n');
    await expect(read([path])).rejects.toMatchObject({ name: 'ImportSourceError', code: 'IMPORT_SOURCE_UNREADABLE' });
    await expect(
      dedecmsAdapter.open({ paths: [join(root, 'nothing-here')], head: null, isDirectory: true }, {}),
    ).rejects.toThrow();
  });

  it('yields the same events when read again (plan, then commit)', async () => {
    const g = await generate({ style: 'dede-backup', encoding: 'gbk', items: 15 });
    const src = await dedecmsAdapter.open({ paths: g.files, head: null, isDirectory: false }, {});
    const once: ImportEvent[] = [];
    for await (const e of src.read()) once.push(e);
    const again: ImportEvent[] = [];
    for await (const e of src.read()) again.push(e);
    expect(again).toEqual(once);
    expect(once.filter((e) => e.type === 'item').length).toBeGreaterThan(10);
  });
});

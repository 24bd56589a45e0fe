import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedecmsAdapter } from '../dedecms/adapter.ts';
import type { ImportEvent, LegacyItem } from '../record.ts';
import type { DumpEncoding, DumpStyle } from '../sql/dump-writer.ts';
import { readHead } from '../sql/read.ts';
import { joinPhpcmsPages, phpcmsAdapter } from './adapter.ts';
import { type PhpcmsGenOptions, generatePhpcms, phpcmsContent, phpcmsNews } from './generate.ts';
import { VarExportError, parseSetting, parseVarExport } from './setting.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'h11-phpcms-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
const generate = (o: Partial<PhpcmsGenOptions> & { style: DumpStyle; encoding: DumpEncoding }) =>
  generatePhpcms({ outDir: join(root, `p${++n}`), items: 45, ...o });

async function read(files: string[]): Promise<ImportEvent[]> {
  const src = await phpcmsAdapter.open({ paths: files, head: null, isDirectory: false }, {});
  const out: ImportEvent[] = [];
  for await (const e of src.read()) out.push(e);
  expect(src.siteName).toBe('米易县人民政府');
  expect(src.baseUrl).toBe('http://www.miyi.gov.cn');
  return out;
}
const items = (ev: ImportEvent[]) =>
  new Map(ev.flatMap((e) => (e.type === 'item' ? [[e.item.sourceId, e.item] as const] : [])));
const skipped = (ev: ImportEvent[]) =>
  new Map(ev.flatMap((e) => (e.type === 'skipped' ? [[e.sourceId, e.reason] as const] : [])));

describe('parseVarExport / parseSetting', () => {
  it('reads what var_export writes, nested arrays and escapes included', () => {
    const src =
      "array (\n  'ishtml' => '1',\n  'meta_title' => 'It\\'s a \\\\ test',\n  'n' => 12,\n  'f' => -1.5,\n  'b' => true,\n  'z' => NULL,\n  'list' => \n  array (\n    0 => 'a',\n    1 => 'b',\n  ),\n)";
    expect(parseVarExport(src)).toEqual({
      ishtml: '1',
      meta_title: "It's a \\ test",
      n: 12,
      f: -1.5,
      b: true,
      z: null,
      list: { 0: 'a', 1: 'b' },
    });
  });
  it('never evaluates anything: code is an error, not a call', () => {
    expect(() => parseVarExport("array ('a' => system('rm -rf /'))")).toThrow(VarExportError);
    expect(parseSetting("array ('a' => phpinfo())")).toEqual({ value: {}, ok: false });
  });
  it('reads JSON settings, also with slashes added', () => {
    expect(parseSetting('{"ishtml":"1","show_ruleid":"12"}').value).toEqual({ ishtml: '1', show_ruleid: '12' });
    expect(parseSetting('{\\"ishtml\\":\\"0\\"}').value).toEqual({ ishtml: '0' });
    expect(parseSetting('')).toEqual({ value: {}, ok: true });
  });
});

describe('joinPhpcmsPages', () => {
  it('joins [page] and [page]title[/page] breaks', () => {
    expect(joinPhpcmsPages('<p>a</p>[page]<p>b</p><p>[page]第三部分[/page]</p><p>c</p>')).toEqual({
      html: '<p>a</p><p>b</p><h2>第三部分</h2><p>c</p>',
      pages: 3,
    });
  });
});

describe('phpcmsAdapter: every dump style, both encodings', () => {
  for (const style of ['mysqldump', 'phpmyadmin', 'navicat', 'phpcms-bakfile', 'empirebak'] as DumpStyle[])
    for (const encoding of ['gbk', 'utf-8'] as const)
      it(`${style} in ${encoding}`, async () => {
        const g = await generate({ style, encoding, volumeBytes: 30_000 });
        const ev = await read(g.files);
        expect(ev.findLastIndex((e) => e.type === 'column')).toBeLessThan(ev.findIndex((e) => e.type === 'item'));
        expect(ev.filter((e) => e.type === 'column')).toHaveLength(g.counts.columns);
        const got = items(ev);
        expect(got.size).toBe(g.counts.published + 1); // + the single page of 机构概况
        for (let i = 1; i <= 45; i++) {
          const news = phpcmsNews(i);
          if (news.status !== 99 || news.islink) continue;
          expect(got.get(String(i))!.title).toBe(news.title);
          expect(got.get(String(i))!.bodyHtml).toBe(joinPhpcmsPages(phpcmsContent(news)).html);
        }
        expect(got.get('5')!.bodyHtml).toContain('「誠信為本，謀定後動」；文件存放路径 D:\\公文\\2012\\');
        expect(ev.filter((e) => e.type === 'file')).toHaveLength(g.counts.attachments);
        expect(ev.filter((e) => e.type === 'warning' && e.warning.code.startsWith('SQL_'))).toEqual([]);
      });
});

describe('phpcmsAdapter: records', () => {
  let ev: ImportEvent[];
  let got: Map<string, LegacyItem>;
  beforeAll(async () => {
    const g = await generate({ style: 'phpcms-bakfile', encoding: 'gbk', items: 100, volumeBytes: 100_000 });
    expect(g.files.length).toBeGreaterThan(2);
    ev = await read(g.files);
    got = items(ev);
  });

  it('reads categories with var_export and JSON settings into columns with their URLs', () => {
    const cols = new Map(ev.flatMap((e) => (e.type === 'column' ? [[e.column.sourceId, e.column] as const] : [])));
    // catid 1 has a var_export setting, 2 a JSON one: both say ishtml=1 and category_ruleid=1
    expect(cols.get('1')!.oldUrls).toEqual([
      'http://www.miyi.gov.cn/html/zwgk/index.html',
      '/html/zwgk/index.html',
      '/index.php?m=content&c=index&a=lists&catid=1',
    ]);
    expect(cols.get('2')!.oldUrls).toEqual(
      expect.arrayContaining([
        '/html/zwgk/tzgg/index.html',
        '/html/zwgk/tzgg/2.html',
        '/index.php?m=content&c=index&a=lists&catid=2&page=2',
      ]),
    );
    expect(cols.get('2')).toMatchObject({
      name: '通知公告',
      slug: 'tzgg',
      parentSourceId: '1',
      kind: 'list',
      keywords: '通知公告,米易县',
    });
    expect(cols.get('5')).toMatchObject({ kind: 'page' });
    expect(cols.get('6')).toMatchObject({ kind: 'link', oldUrls: [] });
    expect(ev.some((e) => e.type === 'warning' && e.warning.code === 'BAD_SETTING')).toBe(false);
  });

  it('maps news: China-time dates, username, copyfrom without |id, stored and dynamic URLs, pages', () => {
    const news = phpcmsNews(10);
    const item = got.get('10')!;
    expect(item.publishedAt).toBe(`${new Date((news.inputtime + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`);
    expect(item.updatedAt).toBe(`${new Date((news.updatetime + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`);
    expect(item.author).toBe('zfb_admin');
    expect(news.copyfrom).toMatch(/\|\d+$/);
    expect(item.source).toBe(news.copyfrom.split('|')[0]);
    expect(item.oldUrls).toEqual(
      expect.arrayContaining([
        news.url,
        new URL(news.url).pathname,
        new URL(news.url).pathname.replace('.html', '_2.html'),
        new URL(news.url).pathname.replace('.html', '_3.html'),
        '/index.php?m=content&c=index&a=show&catid=2&id=10',
        '/index.php?m=content&c=index&a=show&catid=2&id=10&page=3',
      ]),
    );
    expect(item.bodyHtml).not.toContain('[page]');
    expect(item.bodyHtml).toContain('<h2>第三部分 保障措施</h2>');
    expect(got.get('3')!.thumbnail?.url).toMatch(/_thumb\.jpg$/);
  });

  it('skips unpublished news with reasons (status 1…n pending, 0 rejected, islink)', () => {
    const s = skipped(ev);
    expect(s.get('31')).toBe('PENDING');
    expect(s.get('37')).toBe('DRAFT');
    expect(s.get('43')).toBe('UNSUPPORTED_TYPE');
    expect(ev.some((e) => e.type === 'warning' && e.warning.code === 'LINK_ITEM' && e.warning.sourceId === '43')).toBe(
      true,
    );
  });

  it('lists attachments under /uploadfile with their original names and items', () => {
    const files = ev.flatMap((e) => (e.type === 'file' ? [e.file] : []));
    const news = phpcmsNews(8);
    const pdf = files.find((f) => f.itemSourceId === '8' && f.mediaType === 'application/pdf')!;
    expect(pdf.url).toBe(`/uploadfile/${news.attachments[1]!.filepath}`);
    expect(pdf.name).toBe(news.attachments[1]!.filename);
  });

  it('is sniffed from the bakfile header and not taken for DedeCMS', async () => {
    const g = await generate({ style: 'phpcms-bakfile', encoding: 'utf-8', items: 3 });
    const input = { paths: g.files, head: await readHead(g.files[0]!, 64 * 1024), isDirectory: false };
    expect(phpcmsAdapter.sniff(input)).toBe(0.95);
    expect(dedecmsAdapter.sniff(input)).toBe(0);
  });

  it('repairs mojibake with a warning', async () => {
    const g = await generate({ style: 'mysqldump', encoding: 'utf-8', mojibake: true, items: 6 });
    const ev2 = await read(g.files);
    expect(items(ev2).get('2')!.title).toBe(phpcmsNews(2).title);
    expect(
      ev2.some((e) => e.type === 'warning' && e.warning.code === 'MOJIBAKE_REPAIRED' && e.warning.sourceId === '2'),
    ).toBe(true);
  });

  it('tells charset-aware from addslashes escaping by reading the first MiB both ways', async () => {
    // a bakfile written over mysqli with set_charset('gbk'): 誠 (D5 5C) not doubled, unlike the usual bakfile
    for (const escaping of ['charset-aware', 'addslashes'] as const)
      for (const style of ['phpcms-bakfile', 'mysqldump'] as const) {
        const g = await generate({ style, encoding: 'gbk', escaping, items: 12 });
        const got = items(await read(g.files));
        expect(got.get('5')!.bodyHtml, `${style} ${escaping}`).toBe(joinPhpcmsPages(phpcmsContent(phpcmsNews(5))).html);
        expect(got.get('10')!.bodyHtml, `${style} ${escaping}`).toBe(
          joinPhpcmsPages(phpcmsContent(phpcmsNews(10))).html,
        );
      }
  });

  it('reads custom content models (a model table with its _data table) with their own fields', async () => {
    const { writeFile } = await import('node:fs/promises');
    const main =
      '`id` int(8), `catid` int(5), `title` varchar(80), `url` char(100), `status` int(2), `islink` int(1), `username` char(20), `inputtime` int(10), `updatetime` int(10)';
    const path = join(root, 'custom-model.sql');
    await writeFile(
      path,
      [
        'CREATE TABLE `gov_attachment` (`aid` int(10), `filename` char(50), `filepath` char(200), `filesize` int(10), `fileext` char(10));',
        "INSERT INTO `gov_attachment` VALUES (9,'方案.pdf','2015/0101/1.pdf',10,'pdf');",
        'CREATE TABLE `gov_attachment_index` (`keyid` char(30), `aid` char(10));',
        "INSERT INTO `gov_attachment_index` VALUES ('c-7-1','9');",
        `CREATE TABLE \`gov_bmwj\` (${main}, \`wenhao\` varchar(60));`,
        "INSERT INTO `gov_bmwj` VALUES (1,7,'部门文件','',99,0,'admin',1420070400,1420070400,'米府发〔2015〕3号');",
        'CREATE TABLE `gov_bmwj_data` (`id` int(8), `content` mediumtext, `copyfrom` varchar(100), `fabujigou` varchar(60));',
        "INSERT INTO `gov_bmwj_data` VALUES (1,'<p>正文</p>','米易县人民政府|1','米易县人民政府办公室');",
        'CREATE TABLE `gov_category` (`catid` int(5), `parentid` int(5), `type` int(1), `modelid` int(5), `catname` varchar(30), `catdir` varchar(30), `parentdir` varchar(100), `url` varchar(100), `setting` mediumtext);',
        "INSERT INTO `gov_category` VALUES (7,0,0,12,'部门文件','bmwj','','','');",
        'CREATE TABLE `gov_model` (`modelid` int(5), `tablename` char(20));',
        "INSERT INTO `gov_model` VALUES (1,'news'),(12,'bmwj');",
        `CREATE TABLE \`gov_news\` (${main});`,
        "INSERT INTO `gov_news` VALUES (1,7,'新闻','',99,0,'admin',1420070400,1420070400);",
        'CREATE TABLE `gov_news_data` (`id` int(8), `content` mediumtext, `copyfrom` varchar(100));',
        "INSERT INTO `gov_news_data` VALUES (1,'<p>新闻</p>','');",
      ].join('\n'),
    );
    const src = await phpcmsAdapter.open({ paths: [path], head: null, isDirectory: false }, {});
    const ev: ImportEvent[] = [];
    for await (const e of src.read()) ev.push(e);
    const got = items(ev);
    expect([...got.keys()].sort()).toEqual(['1', 'bmwj-1']);
    expect(got.get('bmwj-1')).toMatchObject({
      title: '部门文件',
      bodyHtml: '<p>正文</p>',
      source: '米易县人民政府',
      columnSourceIds: ['7'],
    });
    expect(got.get('bmwj-1')!.extra?.fields).toEqual({
      wenhao: '米府发〔2015〕3号',
      fabujigou: '米易县人民政府办公室',
    });
    expect(got.get('bmwj-1')!.oldUrls).toContain('/index.php?m=content&c=index&a=show&catid=7&id=1');
    expect(ev.flatMap((e) => (e.type === 'file' ? [e.file.itemSourceId] : []))).toEqual(['bmwj-1']);
  });
});

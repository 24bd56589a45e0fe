import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportEvent } from '../record.ts';
import { openSource } from '../sources.ts';
import { generateBundle } from './generate.ts';

const root = mkdtempSync(join(tmpdir(), 'zq-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function events(paths: string[], opts: Parameters<typeof openSource>[1] = {}) {
  const source = await openSource(paths, opts);
  const out: ImportEvent[] = [];
  for await (const e of source.read()) out.push(e);
  return { source, out };
}
const of = <T extends ImportEvent['type']>(out: ImportEvent[], type: T) =>
  out.filter((e): e is Extract<ImportEvent, { type: T }> => e.type === type);

describe('the JSON Lines / CSV bundle', () => {
  it('reads a folder of JSON Lines: columns before items, defaults applied, bad lines as warnings with line numbers', async () => {
    const dir = join(root, 'jsonl');
    await generateBundle(dir, { items: 3 });
    writeFileSync(
      join(dir, 'bundle.json'),
      JSON.stringify({ siteName: '某镇人民政府网', baseUrl: 'http://www.mz.gov.cn' }),
    );
    writeFileSync(
      join(dir, 'items.jsonl'),
      [
        JSON.stringify({
          sourceId: 'a',
          title: '通知',
          bodyHtml: '<p>正文</p>',
          columnSourceIds: ['1'],
          publishedAt: '2015-06-01 09:00:00',
        }),
        '{ not json',
        JSON.stringify({ sourceId: 'b' }),
        '',
        JSON.stringify({ sourceId: 'c', title: '草稿', status: 'draft' }),
      ].join('\n'),
    );
    const { source, out } = await events([dir]);
    expect(source.system).toBe('bundle');
    expect(source.siteName).toBe('某镇人民政府网');
    expect(source.baseUrl).toBe('http://www.mz.gov.cn');
    const types = out.map((e) => e.type);
    expect(types.lastIndexOf('column')).toBeLessThan(types.indexOf('item'));
    expect(of(out, 'column').map((c) => c.column.name)).toEqual(['通知公告', '工作动态', '政策文件', '镇村风采']);
    const items = of(out, 'item').map((e) => e.item);
    expect(items.map((i) => [i.sourceId, i.status, i.kind])).toEqual([
      ['a', 'published', 'article'],
      ['c', 'draft', 'article'],
    ]);
    expect(items[0]!.publishedAt).toBe('2015-06-01 09:00:00');
    expect(items[0]!.oldUrls).toEqual([]);
    const warnings = of(out, 'warning').map((w) => w.warning);
    expect(warnings.map((w) => [w.code, w.message.split(':').slice(0, 2).join(':')])).toEqual([
      ['BAD_LINE', 'items.jsonl:2'],
      ['BAD_LINE', 'items.jsonl:3'],
    ]);
    expect(warnings[1]!.sourceId).toBe('b');
    expect(warnings[1]!.message).toContain('title');
    expect(of(out, 'encoding').map((e) => e.where)).toEqual(['columns.jsonl', 'items.jsonl']);
  });

  it('reads CSV in GBK: lists split on |, govMeta flattened, attachments name=url, quoted newlines kept', async () => {
    const dir = join(root, 'csv');
    rmSync(dir, { recursive: true, force: true });
    await generateBundle(dir, { items: 0 });
    rmSync(join(dir, 'items.jsonl'));
    const csv = [
      'sourceId,title,columnSourceIds,bodyHtml,publishedAt,docNumber,issuingBody,writtenAt,attachments,oldUrls,keywords',
      '7,关于印发《某镇工作方案》的通知,3|1,"<p>第一段</p>\n<p>第二段，含逗号</p>",2014-02-03T10:00:00+08:00,某府发〔2014〕3号,某镇人民政府,2014-02-01,方案.doc=/uploads/fa.doc|/uploads/b.pdf,/zcwj/201402/7.html|/plus/view.php?aid=7,方案|工作',
      '8,,1,,,,,,,,',
    ].join('\r\n');
    writeFileSync(join(dir, 'items.csv'), iconv.encode(csv, 'gbk'));
    const { out } = await events([dir]);
    const enc = of(out, 'encoding').find((e) => e.where === 'items.csv')!;
    expect(enc.encoding).toBe('gb18030');
    const [item] = of(out, 'item').map((e) => e.item);
    expect(item).toMatchObject({
      sourceId: '7',
      title: '关于印发《某镇工作方案》的通知',
      columnSourceIds: ['3', '1'],
      bodyHtml: '<p>第一段</p>\n<p>第二段，含逗号</p>',
      govMeta: { docNumber: '某府发〔2014〕3号', issuingBody: '某镇人民政府', writtenAt: '2014-02-01' },
      attachments: [{ name: '方案.doc', url: '/uploads/fa.doc' }, { url: '/uploads/b.pdf' }],
      oldUrls: ['/zcwj/201402/7.html', '/plus/view.php?aid=7'],
      keywords: ['方案', '工作'],
    });
    // Row 8 has no title: a warning on line 3 of the file, not an exception.
    const w = of(out, 'warning').map((e) => e.warning);
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^items\.csv:4: title/);
  });

  it('refuses what is not a bundle with a stable code', async () => {
    const dir = join(root, 'empty');
    rmSync(dir, { recursive: true, force: true });
    await generateBundle(dir, { items: 0 });
    rmSync(join(dir, 'items.jsonl'));
    await expect(openSource([dir])).rejects.toMatchObject({ code: 'BUNDLE_UNREADABLE' });
    writeFileSync(join(root, 'notes.txt'), 'hello');
    await expect(openSource([join(root, 'notes.txt')])).rejects.toMatchObject({ code: 'UNRECOGNISED_SOURCE' });
    await expect(openSource([join(root, 'nope')])).rejects.toMatchObject({ code: 'SOURCE_MISSING' });
  });

  it('streams: read() can run twice and yields the same events', async () => {
    const dir = join(root, 'twice');
    await generateBundle(dir, { items: 50 });
    const source = await openSource([dir]);
    const count = async () => {
      let n = 0;
      for await (const e of source.read()) if (e.type === 'item') n += 1;
      return n;
    };
    expect([await count(), await count()]).toEqual([50, 50]);
  });
});

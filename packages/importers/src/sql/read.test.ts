import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DumpEvent, EmpireBakUnwrapper, dumpFiles, dumpFlavour, escapeMode, readDump } from './read.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h11-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(it: AsyncIterable<DumpEvent>): Promise<DumpEvent[]> {
  const out: DumpEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}
const rowsOf = (ev: DumpEvent[]) => ev.flatMap((e) => (e.kind === 'row' ? [e.row] : []));

describe('EmpireBakUnwrapper', () => {
  const php = Buffer.concat([
    Buffer.from(
      '<?php\n@include("../../inc/header.php");\nDoSetDbChar(\'gbk\');\nE_D("DROP TABLE IF EXISTS `dede_arctype`;");\n',
    ),
    Buffer.from(
      'E_C("CREATE TABLE `dede_arctype` (\n  `id` int(5),\n  `typename` char(30)\n) ENGINE=MyISAM DEFAULT CHARSET=gbk");\n',
    ),
    // PHP escapes on top of addslashes(): \\\' is \' once PHP has read it, \" a quote, \$ a dollar
    Buffer.from("E_D(\"replace into `dede_arctype` values('1','\\\\'政务\\\\' \\\"公开\\\" \\$5 "),
    Buffer.from([0xd5, 0x5c, 0x5c, 0x5c, 0x5c]), // addslashes(誠) = D5 5C 5C, then PHP-escaped: D5 5C 5C 5C 5C
    Buffer.from('\');");\n?>'),
  ]);

  it('undoes the PHP layer exactly as PHP would, whatever the chunk boundaries', () => {
    const whole = Buffer.from(new EmpireBakUnwrapper().push(php, true)).toString('latin1');
    expect(whole).toContain('DROP TABLE IF EXISTS `dede_arctype`;;\n');
    expect(whole).toContain("values('1','\\'");
    expect(whole).toContain('"');
    expect(whole).toContain('$5');
    expect(whole).not.toContain('@include');
    for (const step of [1, 3, 5]) {
      const u = new EmpireBakUnwrapper();
      const parts: Buffer[] = [];
      for (let i = 0; i < php.length; i += step) parts.push(Buffer.from(u.push(php.subarray(i, i + step))));
      parts.push(Buffer.from(u.push(new Uint8Array(0), true)));
      expect(Buffer.concat(parts).toString('latin1')).toBe(whole);
    }
  });

  it('yields the rows once tokenized (byte-by-byte unescape keeps the doubled 0x5C trail)', async () => {
    const path = join(dir, 'dede_arctype_1.php');
    // the same volume with its Chinese in GBK (the 誠 bytes are already GBK)
    let text = php.toString('latin1');
    for (const w of ['政务', '公开'])
      text = text.replace(Buffer.from(w).toString('latin1'), iconv.encode(w, 'gbk').toString('latin1'));
    const gbkPhp = Buffer.from(text, 'latin1');
    await writeFile(path, gbkPhp);
    const ev = await all(readDump([path]));
    expect(ev[0]).toMatchObject({ kind: 'encoding', flavour: 'empirebak', encoding: 'gb18030', how: 'declared' });
    expect(rowsOf(ev)).toEqual([{ id: '1', typename: '\'政务\' "公开" $5 誠' }]);
  });
});

describe('escapeMode', () => {
  const g = (s: string) => iconv.encode(s, 'gbk');
  const sql = (...parts: Buffer[]) => Buffer.concat([g("INSERT INTO t VALUES ('"), ...parts, g("');")]);
  const cheng = Buffer.from([0xd5, 0x5c]); // 誠
  it('sees a charset-aware file by the 0x5C trail followed by the next character', () => {
    expect(escapeMode(sql(cheng, g('信')), 'gb18030', 'phpcms-bakfile')).toBe(true);
  });
  it('sees an addslashes file by the doubled 0x5C', () => {
    expect(escapeMode(sql(cheng, Buffer.from([0x5c]), g('信')), 'gb18030', 'mysqldump')).toBe(false);
  });
  it("keeps the flavour's usual answer without such characters, and for UTF-8", () => {
    expect(escapeMode(sql(g('政务公开\\n')), 'gb18030', 'mysqldump')).toBe(true);
    expect(escapeMode(sql(g('政务公开')), 'gb18030', 'dede-backup')).toBe(false);
    expect(escapeMode(sql(cheng, g('信')), 'utf-8', 'mysqldump')).toBe(false);
  });
});

describe('dump files', () => {
  it('tells the flavours apart', () => {
    const b = (s: string) => Buffer.from(s);
    expect(dumpFlavour('x.sql', b('# phpcms bakfile\n# version:PHPCMS V9'))).toBe('phpcms-bakfile');
    expect(dumpFlavour('t_1.php', b('<?php\nE_D("DROP TABLE x;");'))).toBe('empirebak');
    expect(dumpFlavour('0a1b_dede_archives_0.txt', b("INSERT INTO `dede_archives` VALUES('1');"))).toBe('dede-backup');
    expect(dumpFlavour('gov.sql', b('-- phpMyAdmin SQL Dump'))).toBe('mysqldump');
  });

  it('orders structure files first and volumes naturally', async () => {
    const sub = join(dir, 'order');
    await rm(sub, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(sub);
    for (const n of ['t_10.php', 't_2.php', 't_1.php', 'abc_tables_struct.txt', 'config.php', 'readme.md'])
      await writeFile(join(sub, n), '');
    const files = (await dumpFiles([sub])).map((f) => f.slice(sub.length + 1));
    expect(files).toEqual(['abc_tables_struct.txt', 't_1.php', 't_2.php', 't_10.php']);
  });

  it('detects the encoding of each volume on its own and carries column orders across volumes', async () => {
    const v1 = join(dir, 'v_db_20160301_1.sql');
    const v2 = join(dir, 'v_db_20160301_2.sql');
    await writeFile(
      v1,
      Buffer.from(
        "CREATE TABLE `v9_news` (`id` int(8), `title` varchar(80));\nINSERT INTO `v9_news` VALUES('1','米易县');\n",
      ),
    );
    await writeFile(v2, iconv.encode("INSERT INTO `v9_news` VALUES('2','攀枝花市人民政府');\n", 'gbk'));
    const ev = await all(readDump([v2, v1]));
    expect(ev.filter((e) => e.kind === 'encoding').map((e) => (e.kind === 'encoding' ? e.encoding : ''))).toEqual([
      'utf-8',
      'gb18030',
    ]);
    expect(rowsOf(ev)).toEqual([
      { id: '1', title: '米易县' },
      { id: '2', title: '攀枝花市人民政府' },
    ]);
  });

  it('falls back to a known schema for data-only volumes, and warns when there is none', async () => {
    const p = join(dir, 'data_only.sql');
    await writeFile(p, 'INSERT INTO `dede_uploads` VALUES (1,2);\nINSERT INTO `other` VALUES (3);\n');
    const ev = await all(readDump([p], { fallbackColumns: (t) => (t === 'dede_uploads' ? ['aid', 'arcid'] : null) }));
    expect(rowsOf(ev)).toEqual([{ aid: 1, arcid: 2 }]);
    expect(ev.find((e) => e.kind === 'warning')).toMatchObject({ code: 'SQL_NO_COLUMNS' });
  });

  it('reads only as far as the consumer pulls (backpressure), and closes the file when it stops', async () => {
    const p = join(dir, 'big.sql');
    const row = `('${'x'.repeat(1000)}'),`;
    await writeFile(p, `INSERT INTO t (a) VALUES ${row.repeat(20_000)}('end');`); // ~20 MB
    let read = 0;
    const it = readDump([p], { chunkSize: 64 * 1024, onProgress: (_f, bytes) => (read = bytes) });
    let n = 0;
    for await (const e of it) {
      if (e.kind === 'row' && ++n === 10) break;
    }
    // 64 KiB holds ~64 rows: the reader has read a chunk or two (the stream's own read-ahead), not the 20 MB
    // file (nor its 20,000 rows)
    expect(n).toBe(10);
    expect(read).toBeLessThanOrEqual(2 * 64 * 1024);
    // and the full file reads to the end
    let total = 0;
    for await (const e of readDump([p])) if (e.kind === 'row') total++;
    expect(total).toBe(20_001);
  });
});

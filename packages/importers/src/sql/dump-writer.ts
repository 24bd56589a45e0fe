/**
 * Writes MySQL dumps the way the real tools do, for the generators (tests and bench): the same rows as
 * mysqldump, phpMyAdmin or Navicat `.sql`, DedeCMS's own `data/backupdata` `.txt` files, EmpireBak
 * `bdata/<db>/<table>_N.php` volumes or PHPCMS `# phpcms bakfile` volumes, in GBK or UTF-8.
 *
 * Escaping is what matters (legacy-formats.md §3.3): mysqldump/phpMyAdmin/Navicat escape charset-aware (a GBK
 * character whose trail byte is 0x5C, 「誠」 D5 5C, is written as is), the PHP backup tools escape byte by byte
 * with `addslashes()` (that byte is doubled). Files are written as streams with backpressure, any size.
 */
import { once } from 'node:events';
import { type WriteStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import iconv from 'iconv-lite';

export type DumpStyle = 'mysqldump' | 'phpmyadmin' | 'navicat' | 'dede-backup' | 'empirebak' | 'phpcms-bakfile';
export type DumpEncoding = 'gbk' | 'utf-8';

export const DUMP_STYLES: DumpStyle[] = [
  'mysqldump',
  'phpmyadmin',
  'navicat',
  'dede-backup',
  'empirebak',
  'phpcms-bakfile',
];

/** A value to write: strings are encoded in the dump's encoding; numbers written bare (or quoted by the style). */
export type OutValue = string | number | null;

function enc(s: string, encoding: DumpEncoding): Buffer {
  return encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8');
}

/** mysql_real_escape_string over a multi-byte connection: a lead byte and its trail are copied untouched. */
export function escapeCharsetAware(bytes: Uint8Array, multibyte: boolean, doubleQuote = false): Buffer {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (multibyte && b >= 0x81 && b <= 0xfe && i + 1 < bytes.length) {
      out.push(b, bytes[++i]!);
      continue;
    }
    if (b === 0x27 && doubleQuote) out.push(0x27, 0x27);
    else if (b === 0x00) out.push(0x5c, 0x30);
    else if (b === 0x0a) out.push(0x5c, 0x6e);
    else if (b === 0x0d) out.push(0x5c, 0x72);
    else if (b === 0x1a) out.push(0x5c, 0x5a);
    else if (b === 0x27 || b === 0x22 || b === 0x5c) out.push(0x5c, b);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** PHP `addslashes()`: byte by byte, blind to multi-byte characters (a 0x5C trail byte is doubled). */
export function addslashes(bytes: Uint8Array, crlf = false): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x27 || b === 0x22 || b === 0x5c) out.push(0x5c, b);
    else if (b === 0x00) out.push(0x5c, 0x30);
    else if (crlf && b === 0x0d) out.push(0x5c, 0x72);
    else if (crlf && b === 0x0a) out.push(0x5c, 0x6e);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** PHP double-quoted string escaping for the SQL EmpireBak wraps in `E_D("…")`. */
function phpDoubleQuoted(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x5c || b === 0x22 || b === 0x24) out.push(0x5c, b);
    else out.push(b);
  }
  return Buffer.from(out);
}

export interface TableSpec {
  /** The real table name (prefix included). */
  name: string;
  /** CREATE TABLE statement (any prefix placeholder already replaced), ending with `;`. */
  ddl: string;
  columns: string[];
}

/**
 * One dump being written. Call `table()` for each table in the order the tool would (mysqldump: alphabetical),
 * then `row()` for its rows, then `close()`. Returns the files written.
 */
export class DumpWriter {
  readonly style: DumpStyle;
  readonly encoding: DumpEncoding;
  readonly files: string[] = [];
  private readonly dir: string;
  private readonly volumeBytes: number;
  private readonly rowsPerInsert: number;
  private out: WriteStream | null = null;
  private written = 0;
  private current: TableSpec | null = null;
  private inInsert = 0;
  private volume = 1;
  private readonly stamp: string;
  private readonly escaping: 'charset-aware' | 'addslashes' | null;

  constructor(
    dir: string,
    style: DumpStyle,
    encoding: DumpEncoding,
    opts: {
      volumeBytes?: number;
      rowsPerInsert?: number;
      seed?: number;
      escaping?: 'charset-aware' | 'addslashes';
    } = {},
  ) {
    this.dir = dir;
    this.style = style;
    this.encoding = encoding;
    this.volumeBytes = opts.volumeBytes ?? 2 * 1024 * 1024;
    this.rowsPerInsert = opts.rowsPerInsert ?? 100;
    this.escaping = opts.escaping ?? null;
    this.stamp = (((opts.seed ?? 1) * 2654435761) >>> 0).toString(16).padStart(8, '0') + 'a1b2c3d4e5f6';
  }

  private get charset(): string {
    return this.encoding === 'gbk' ? 'gbk' : 'utf8';
  }

  private async openFile(path: string, header: string): Promise<void> {
    await this.closeFile();
    await mkdir(dirname(path), { recursive: true });
    this.out = createWriteStream(path);
    this.files.push(path);
    this.written = 0;
    await this.write(enc(header, this.encoding));
  }

  private async closeFile(footer = ''): Promise<void> {
    if (!this.out) return;
    if (footer) await this.write(enc(footer, this.encoding));
    this.out.end();
    await once(this.out, 'finish');
    this.out = null;
  }

  private async write(buf: Buffer): Promise<void> {
    this.written += buf.length;
    if (!this.out!.write(buf)) await once(this.out!, 'drain');
  }

  private async text(s: string): Promise<void> {
    await this.write(enc(s, this.encoding));
  }

  private ddl(t: TableSpec): string {
    const engine = this.style !== 'phpcms-bakfile';
    return engine
      ? t.ddl.replace(/\)\s*TYPE=MyISAM\s*;?\s*$/, `) ENGINE=MyISAM DEFAULT CHARSET=${this.charset};`)
      : t.ddl;
  }

  async table(t: TableSpec): Promise<void> {
    await this.endTable();
    this.current = t;
    const drop = `DROP TABLE IF EXISTS \`${t.name}\`;`;
    switch (this.style) {
      case 'mysqldump':
        if (!this.out)
          await this.openFile(
            join(this.dir, 'dump.sql'),
            `-- MySQL dump 10.13  Distrib 5.5.62, for Win64 (AMD64)\n--\n-- Host: localhost    Database: gov\n-- ------------------------------------------------------\n-- Server version\t5.5.62\n\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET NAMES ${this.charset} */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n\n`,
          );
        await this.text(
          `--\n-- Table structure for table \`${t.name}\`\n--\n\n${drop}\n/*!40101 SET @saved_cs_client     = @@character_set_client */;\n/*!40101 SET character_set_client = utf8 */;\n${this.ddl(t)}\n/*!40101 SET character_set_client = @saved_cs_client */;\n\n--\n-- Dumping data for table \`${t.name}\`\n--\n\nLOCK TABLES \`${t.name}\` WRITE;\n/*!40000 ALTER TABLE \`${t.name}\` DISABLE KEYS */;\n`,
        );
        break;
      case 'phpmyadmin':
        if (!this.out)
          await this.openFile(
            join(this.dir, 'gov.sql'),
            `-- phpMyAdmin SQL Dump\n-- version 4.0.10.20\n-- http://www.phpmyadmin.net\n--\n-- 主机: localhost\n-- 生成日期: 2016 年 03 月 01 日 10:00\n\nSET SQL_MODE = "NO_AUTO_VALUE_ON_ZERO";\nSET time_zone = "+00:00";\n\n/*!40101 SET NAMES ${this.charset} */;\n\n--\n-- 数据库: \`gov\`\n--\n\n`,
          );
        await this.text(
          `-- --------------------------------------------------------\n\n--\n-- 表的结构 \`${t.name}\`\n--\n\n${drop}\n${this.ddl(t)}\n\n--\n-- 转存表中的数据 \`${t.name}\`\n--\n\n`,
        );
        break;
      case 'navicat':
        if (!this.out)
          await this.openFile(
            join(this.dir, 'gov_navicat.sql'),
            `/*\nNavicat MySQL Data Transfer\n\nSource Server         : localhost\nSource Server Version : 50562\nSource Database       : gov\n\nTarget Server Type    : MYSQL\nFile Encoding         : 65001\n\nDate: 2016-03-01 10:00:00\n*/\n\nSET FOREIGN_KEY_CHECKS=0;\n\n`,
          );
        await this.text(
          `-- ----------------------------\n-- Table structure for ${t.name}\n-- ----------------------------\n${drop}\n${this.ddl(t)}\n\n-- ----------------------------\n-- Records of ${t.name}\n-- ----------------------------\n`,
        );
        break;
      case 'dede-backup': {
        // as dede/sys_data_done.php names them: tables_struct_<16 hex>.txt (DROP + SHOW CREATE TABLE, CRLF) and
        // <table>_<startpos>_<16 hex>.txt data volumes cut at the chosen size
        const struct = join(this.dir, `tables_struct_${this.hex()}.txt`);
        if (!this.structOut) {
          await this.openFile(struct, '');
          this.structOut = this.out;
        }
        this.out = this.structOut;
        await this.text(`${drop}\r\n\r\n${this.ddl(t).replace(/\n/g, '\r\n')}\r\n\r\n`);
        this.out = null;
        this.rowIndex = 0;
        await this.openFile(join(this.dir, `${t.name}_0_${this.hex()}.txt`), '');
        break;
      }
      case 'empirebak':
        this.volume = 1;
        await this.openFile(
          join(this.dir, 'bdata', 'gov_20160301', `${t.name}_${this.volume}.php`),
          this.empireHeader(),
        );
        await this.text(
          `E_D("${drop}");\nE_C("${phpEscapeText(t.ddl.replace(/;\s*$/, '').replace(/TYPE=MyISAM/, `ENGINE=MyISAM DEFAULT CHARSET=${this.charset}`))}");\n`,
        );
        break;
      case 'phpcms-bakfile':
        if (!this.out) await this.openFile(this.phpcmsVolume(), this.phpcmsHeader());
        await this.text(`${drop}\n${t.ddl.replace(/TYPE=MyISAM/, `TYPE=MyISAM DEFAULT CHARSET=${this.charset}`)}\n\n`);
        break;
    }
  }

  private structOut: WriteStream | null = null;
  private rowIndex = 0;
  private hexCount = 0;

  /** 16 hex digits, as substr(md5(…), 0, 16) gives them (deterministic here). */
  private hex(): string {
    return `${this.stamp}${(++this.hexCount).toString(16).padStart(4, '0')}`.slice(-16);
  }

  private empireHeader(): string {
    return `<?php\n@include("../../inc/header.php");\n\n/*\n\t\tSoftName : EmpireBak Version 2010\n\t\tAuthor   : wm_chief\n\t\tCopyright: Powered by www.phome.net\n*/\n\nDoSetDbChar('${this.charset}');\n`;
  }

  private phpcmsVolume(): string {
    return join(this.dir, `${this.stamp.slice(0, 10)}_db_20160301_${this.volume}.sql`);
  }

  private phpcmsHeader(): string {
    return `# phpcms bakfile\n# version:PHPCMS V9\n# time:2016-03-01 10:00:00\n# type:phpcms\n# phpcms: http://www.phpcms.cn\n# --------------------------------------------------------\n\n\n`;
  }

  private valueBytes(v: OutValue, quoteNumbers: boolean): Buffer {
    if (v === null) return Buffer.from('NULL');
    if (typeof v === 'number') return Buffer.from(quoteNumbers ? `'${v}'` : String(v));
    const bytes = enc(v, this.encoding);
    const aware =
      this.escaping === 'charset-aware' ||
      (this.escaping === null &&
        (this.style === 'mysqldump' || this.style === 'phpmyadmin' || this.style === 'navicat'));
    const escaped = !aware
      ? addslashes(bytes, this.style === 'dede-backup')
      : this.style === 'mysqldump' || this.style === 'phpmyadmin'
        ? escapeCharsetAware(bytes, this.encoding === 'gbk')
        : escapeCharsetAware(bytes, this.encoding === 'gbk', this.style === 'navicat');
    return Buffer.concat([Buffer.from("'"), escaped, Buffer.from("'")]);
  }

  async row(values: OutValue[]): Promise<void> {
    const t = this.current!;
    const quoteAll = this.style !== 'mysqldump' && this.style !== 'phpmyadmin';
    const tuple = Buffer.concat([
      Buffer.from('('),
      ...values.flatMap((v, i) =>
        i
          ? [
              Buffer.from(this.style === 'navicat' || this.style === 'phpmyadmin' ? ', ' : ','),
              this.valueBytes(v, quoteAll),
            ]
          : [this.valueBytes(v, quoteAll)],
      ),
      Buffer.from(')'),
    ]);
    switch (this.style) {
      case 'mysqldump':
        await this.text(this.inInsert === 0 ? `INSERT INTO \`${t.name}\` VALUES ` : ',');
        await this.write(tuple);
        if (++this.inInsert >= this.rowsPerInsert) await this.endInsert();
        break;
      case 'phpmyadmin':
        await this.text(
          this.inInsert === 0
            ? `INSERT INTO \`${t.name}\` (${t.columns.map((c) => `\`${c}\``).join(', ')}) VALUES\n`
            : ',\n',
        );
        await this.write(tuple);
        if (++this.inInsert >= this.rowsPerInsert) await this.endInsert();
        break;
      case 'navicat':
        await this.text(`INSERT INTO \`${t.name}\` VALUES `);
        await this.write(tuple);
        await this.text(';\n');
        break;
      case 'dede-backup':
        if (this.written > this.volumeBytes) {
          await this.closeFile();
          await this.openFile(join(this.dir, `${t.name}_${this.rowIndex}_${this.hex()}.txt`), '');
        }
        this.rowIndex++;
        await this.text(`INSERT INTO \`${t.name}\` VALUES`);
        await this.write(tuple);
        await this.text(';\r\n');
        break;
      case 'empirebak':
        if (this.written > this.volumeBytes) {
          this.volume++;
          await this.closeFile('\n@include("../../inc/footer.php");\n?>');
          await this.openFile(
            join(this.dir, 'bdata', 'gov_20160301', `${t.name}_${this.volume}.php`),
            this.empireHeader(),
          );
        }
        await this.text(`E_D("replace into \`${t.name}\` values`);
        await this.write(phpDoubleQuoted(tuple));
        await this.text(';");\n');
        break;
      case 'phpcms-bakfile':
        if (this.written > this.volumeBytes) {
          this.volume++;
          await this.closeFile();
          await this.openFile(this.phpcmsVolume(), this.phpcmsHeader());
        }
        await this.text(`INSERT INTO \`${t.name}\` VALUES`);
        await this.write(tuple);
        await this.text(';\n');
        break;
    }
  }

  private async endInsert(): Promise<void> {
    if (this.inInsert > 0) await this.text(';\n');
    this.inInsert = 0;
  }

  private async endTable(): Promise<void> {
    await this.endInsert();
    const t = this.current;
    if (!t) return;
    if (this.style === 'mysqldump')
      await this.text(`/*!40000 ALTER TABLE \`${t.name}\` ENABLE KEYS */;\nUNLOCK TABLES;\n\n`);
    if (this.style === 'empirebak') await this.closeFile('\n@include("../../inc/footer.php");\n?>');
    if (this.style === 'dede-backup') await this.closeFile();
    this.current = null;
  }

  async close(): Promise<string[]> {
    await this.endTable();
    if (this.style === 'mysqldump')
      await this.text(
        '/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n\n-- Dump completed on 2016-03-01 10:00:00\n',
      );
    await this.closeFile();
    if (this.structOut) {
      this.structOut.end();
      await once(this.structOut, 'finish');
      this.structOut = null;
    }
    return this.files;
  }
}

function phpEscapeText(s: string): string {
  return s.replace(/[\\"$]/g, (c) => `\\${c}`);
}

interface ColumnDefault {
  name: string;
  value: OutValue;
}

const cache = new Map<string, ColumnDefault[]>();

/** Column names and defaults of a CREATE TABLE (`default '0'` on an int column is written as a number). */
export function columnDefaults(ddl: string): ColumnDefault[] {
  let cols = cache.get(ddl);
  if (cols) return cols;
  cols = [];
  for (const m of ddl.matchAll(/^\s+`(\w+)`\s+(\w+)[^\n]*$/gm)) {
    const line = m[0];
    const numeric = /int$/i.test(m[2]!);
    const def = /default\s+'([^']*)'/i.exec(line)?.[1];
    const nullable = !/NOT NULL/i.test(line);
    cols.push({
      name: m[1]!,
      value: def !== undefined ? (numeric ? Number(def) : def) : numeric ? 0 : nullable ? null : '',
    });
  }
  cache.set(ddl, cols);
  return cols;
}

/** A row in the table's column order: given values, the column default for the rest. */
export function rowFor(ddl: string, values: Record<string, OutValue>): OutValue[] {
  return columnDefaults(ddl).map((c) => (c.name in values ? values[c.name]! : c.value));
}

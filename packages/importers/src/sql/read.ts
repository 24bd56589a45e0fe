/**
 * Reading one dump made of one or more files (volumes), whatever tool wrote it (legacy-formats.md §3.3, §4.4):
 * - `mysqldump`: mysqldump, phpMyAdmin, Navicat, SQLyog `.sql` — escaped charset-aware by the server/client;
 * - `dede-backup`: DedeCMS's own `data/backupdata/*.txt` — one `INSERT … VALUES('…');` per line, `addslashes()`;
 * - `empirebak`: EmpireBak `bdata/<db>/<table>_N.php` — the SQL inside PHP `E_D("…")`/`E_C("…")` calls;
 * - `phpcms-bakfile`: PHPCMS's `# phpcms bakfile` volumes — plain statements, `addslashes()`.
 * Each file's encoding is detected on its own (a sample of its first MiB), each string decoded after its
 * closing quote. Column orders learnt from `CREATE TABLE` carry over to later volumes; a data-only volume falls
 * back to the adapter's known schema. Rows come out as `{table, row}` objects through an async iterator, so a
 * consumer that stops pulling stops the reading (backpressure); nothing but the current chunk and row is held.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { type EncodingHow, detectEncoding, normaliseEncodingName } from '../text/encoding.ts';
import { type SqlColumn, SqlStatementReader, type SqlValue } from './tokenizer.ts';

export type DumpFlavour = 'mysqldump' | 'dede-backup' | 'empirebak' | 'phpcms-bakfile';

export type DumpEvent =
  | { kind: 'encoding'; file: string; encoding: string; how: EncodingHow; flavour: DumpFlavour }
  | { kind: 'create'; file: string; table: string; columns: SqlColumn[] }
  | { kind: 'row'; file: string; table: string; row: Record<string, SqlValue> }
  | { kind: 'warning'; file: string; code: string; message: string };

export interface ReadDumpOptions {
  /** Force an encoding (`gbk`, `utf-8`) instead of detecting it per file. */
  encoding?: string;
  /** Rows of other tables are parsed but not decoded or yielded. */
  wantTable?: (table: string) => boolean;
  /** Told of each CREATE TABLE as it is read, before `wantTable` is asked about the rows that follow it. */
  onCreate?: (table: string, columns: SqlColumn[]) => void;
  /** Column order of a table whose `CREATE TABLE` is not in the files (data-only volumes). */
  fallbackColumns?: (table: string) => string[] | null;
  /** Chunk size read from disk (default 256 KiB). */
  chunkSize?: number;
  /** Told the bytes read so far of the current file, after each chunk (progress bars; bytes, not rows). */
  onProgress?: (file: string, bytesRead: number) => void;
}

const SAMPLE = 1024 * 1024;

/** The first bytes of a file (for sniffing and encoding detection). */
export async function readHead(path: string, size = SAMPLE): Promise<Uint8Array> {
  if (isGzip(path)) {
    // the first bytes of the uncompressed dump
    const parts: Buffer[] = [];
    let got = 0;
    const src = createReadStream(path).pipe(createGunzip());
    try {
      for await (const chunk of src as AsyncIterable<Buffer>) {
        parts.push(chunk);
        got += chunk.length;
        if (got >= size) break;
      }
    } catch {
      // a damaged archive: what was read is the sample; reading the dump will report the damage
    } finally {
      src.destroy();
    }
    return Buffer.concat(parts).subarray(0, size);
  }
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const latin1 = new TextDecoder('latin1');

/** `dump.sql.gz`: mysqldump output is often gzipped as handed over; read through gunzip, never unpacked to disk. */
export const isGzip = (path: string) => /\.gz$/i.test(path);

/** A dump file name: `.sql`, `.txt`, `.php`, optionally gzipped. */
export const DUMP_FILE = /\.(sql|txt|php)(\.gz)?$/i;

export function dumpFlavour(path: string, head: Uint8Array): DumpFlavour {
  const text = latin1.decode(head.subarray(0, 64 * 1024));
  if (/^\uFEFF?# phpcms bakfile/.test(text)) return 'phpcms-bakfile';
  if (/\bE_[DC]\s*\(\s*"/.test(text) || /EmpireBak/i.test(text)) return 'empirebak';
  if (extname(path.replace(/\.gz$/i, '')).toLowerCase() === '.txt') return 'dede-backup';
  return 'mysqldump';
}

/** Files of a dump in reading order: structure files first, then volumes in natural order (`_2` before `_10`). */
export async function dumpFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p);
    if (s.isDirectory()) {
      const names = await readdir(p);
      for (const n of names) await walk(join(p, n));
    } else if (DUMP_FILE.test(p) && !/^(config|index)\.php$/i.test(basename(p))) out.push(p);
  };
  for (const p of paths) await walk(p);
  const collator = new Intl.Collator('en', { numeric: true });
  const rank = (p: string) => (/tables?_struct/i.test(basename(p)) ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || collator.compare(a, b));
}

/**
 * Unwraps EmpireBak volumes: the SQL of every `E_D("…")` / `E_C("…")` call, with PHP double-quoted escapes undone
 * (`\"`, `\\`, `\$`, `\n`…) exactly as PHP would when the volume is restored, each followed by `;`.
 * Bytes outside the calls (PHP code, comments) are dropped.
 */
export class EmpireBakUnwrapper {
  private inside = false;
  private carry: Uint8Array | null = null;

  push(chunk: Uint8Array, final = false): Uint8Array {
    let b = chunk;
    if (this.carry) {
      b = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const parts: Uint8Array[] = [];
    const n = b.length;
    let i = 0;
    while (i < n) {
      if (!this.inside) {
        const at = indexOfCall(b, i);
        if (at < 0) {
          // keep a possibly cut marker for the next chunk
          if (!final) this.carry = b.subarray(Math.max(i, n - 16));
          break;
        }
        i = at;
        this.inside = true;
        continue;
      }
      let run = i;
      let closed = false;
      while (i < n) {
        const c = b[i]!;
        if (c === 0x22) {
          if (i > run) parts.push(b.subarray(run, i));
          parts.push(SEMI);
          i++;
          this.inside = false;
          closed = true;
          break;
        }
        if (c === 0x5c) {
          if (i > run) parts.push(b.subarray(run, i));
          if (i + 4 >= n && !final) {
            this.carry = b.subarray(i);
            i = n;
            run = n;
            break;
          }
          const out: number[] = [];
          i = phpEscape(b, i, out);
          parts.push(Uint8Array.from(out));
          run = i;
          continue;
        }
        i++;
      }
      if (!closed && i > run) parts.push(b.subarray(run, i));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

const SEMI = Uint8Array.from([0x3b, 0x0a]); // ;\n

/** Index just past the `"` of the next `E_D("` / `E_C("` at or after `from`; -1 when none. */
function indexOfCall(b: Uint8Array, from: number): number {
  for (let i = from; i + 4 < b.length; i++) {
    if (b[i] === 0x45 && b[i + 1] === 0x5f && (b[i + 2] === 0x44 || b[i + 2] === 0x43)) {
      let j = i + 3;
      while (j < b.length && (b[j] === 0x20 || b[j] === 0x09)) j++;
      if (b[j] !== 0x28) continue;
      j++;
      while (j < b.length && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0a || b[j] === 0x0d)) j++;
      if (j >= b.length) return -1;
      if (b[j] === 0x22) return j + 1;
    }
  }
  return -1;
}

/** PHP double-quoted escapes: the byte after the backslash → the byte it stands for. */
const PHP_ESCAPES = new Map<number, number>([
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
  [0x76, 0x0b], // \v
  [0x65, 0x1b], // \e
  [0x66, 0x0c], // \f
  [0x5c, 0x5c], // \\
  [0x24, 0x24], // \$
  [0x22, 0x22], // \"
]);

/** One PHP double-quoted escape at b[i] (a backslash); appends its bytes to out; returns the next index. */
function phpEscape(b: Uint8Array, i: number, out: number[]): number {
  const c = b[i + 1];
  if (c === undefined) {
    out.push(0x5c);
    return i + 1;
  }
  const mapped = PHP_ESCAPES.get(c);
  if (mapped !== undefined) {
    out.push(mapped);
    return i + 2;
  }
  if (c >= 0x30 && c <= 0x37) {
    let j = i + 1;
    let v = 0;
    while (j < b.length && j < i + 4 && b[j]! >= 0x30 && b[j]! <= 0x37) v = v * 8 + (b[j++]! - 0x30);
    out.push(v & 0xff);
    return j;
  }
  if (c === 0x78 && /[0-9a-fA-F]/.test(String.fromCharCode(b[i + 2] ?? 0))) {
    let j = i + 2;
    let hex = '';
    while (j < b.length && j < i + 4 && /[0-9a-fA-F]/.test(String.fromCharCode(b[j]!)))
      hex += String.fromCharCode(b[j++]!);
    out.push(Number.parseInt(hex, 16));
    return j;
  }
  // PHP keeps an unknown escape as written: \' stays \' (then the SQL tokenizer reads it)
  out.push(0x5c);
  return i + 1;
}

/** The bytes a charset-aware MySQL escaper writes after a backslash: \0 \n \r \\ \' \" \Z. */
const WRITTEN_ESCAPES = new Set([0x30, 0x6e, 0x72, 0x5c, 0x27, 0x22, 0x5a]);

/**
 * How the strings of a GBK/Big5 file were escaped (legacy-formats.md §3.3): charset-aware, a 0x5C trail byte
 * left alone (mysqldump, phpMyAdmin, Navicat, PHP over mysqli with `set_charset`), or byte by byte, that byte
 * doubled (`addslashes()`, `mysql_escape_string()`, or `mysql_real_escape_string()` after a mere `SET NAMES` —
 * Dede backup, EmpireBak, most PHPCMS bakfiles). Read the wrong way, the text silently turns into other valid
 * characters (誠信 → 招艦), so the file is asked: walking its first MiB character by character (escapes and
 * SQL are ASCII, so the alignment holds either way), every character whose trail byte is 0x5C is followed by
 * another 0x5C in a byte-by-byte file (the doubling), and by the next character in a charset-aware one — unless
 * that character is an escape itself, the one ambiguous case, which does not vote. The majority wins; a sample
 * without such characters keeps what the flavour usually is (true = charset-aware).
 */
export function escapeMode(sample: Uint8Array, encoding: string, flavour: DumpFlavour): boolean {
  const usual = flavour === 'mysqldump';
  if (encoding !== 'gb18030' && encoding !== 'big5') return false;
  let aware = 0;
  let bytewise = 0;
  const n = sample.length;
  for (let i = 0; i < n; ) {
    const b = sample[i]!;
    if (b < 0x81 || b === 0xff) {
      i++;
      continue;
    }
    const t = sample[i + 1];
    if (t === undefined) break;
    if (t >= 0x30 && t <= 0x39 && encoding === 'gb18030') {
      i += 4; // a GB18030 four-byte character
      continue;
    }
    i += 2;
    if (t !== 0x5c) continue;
    const n1 = sample[i];
    const n2 = sample[i + 1];
    if (n1 === undefined || n2 === undefined) break;
    if (n1 !== 0x5c) aware++;
    else if (!WRITTEN_ESCAPES.has(n2)) bytewise++;
  }
  if (aware === bytewise) return usual;
  return aware > bytewise;
}

/** Streams the rows of every file of one dump. */
export async function* readDump(paths: string[], options: ReadDumpOptions = {}): AsyncGenerator<DumpEvent> {
  const schemas = new Map<string, string[]>();
  const warnedTables = new Set<string>();
  const files = await dumpFiles(paths);
  for (const file of files) {
    const head = await readHead(file);
    const flavour = dumpFlavour(file, head);
    const forced = options.encoding ? normaliseEncodingName(options.encoding) : null;
    const detected = forced ? { encoding: forced, how: 'declared' as const } : detectEncoding(head, 'sql');
    yield { kind: 'encoding', file, encoding: detected.encoding, how: detected.how, flavour };
    const unwrap = flavour === 'empirebak' ? new EmpireBakUnwrapper() : null;
    const multibyteAware = escapeMode(unwrap ? new EmpireBakUnwrapper().push(head) : head, detected.encoding, flavour);
    const reader = new SqlStatementReader({
      encoding: detected.encoding,
      multibyteAware,
      wantTable: options.wantTable,
      onCreate: options.onCreate,
    });
    const toRows = function* (events: ReturnType<SqlStatementReader['push']>): Generator<DumpEvent> {
      for (const e of events) {
        if (e.kind === 'create') {
          schemas.set(
            e.table,
            e.columns.map((c) => c.name),
          );
          yield { kind: 'create', file, table: e.table, columns: e.columns };
        } else if (e.kind === 'warning') yield { kind: 'warning', file, code: e.code, message: e.message };
        else if (e.kind === 'row') {
          const cols = e.columns ?? schemas.get(e.table) ?? options.fallbackColumns?.(e.table) ?? null;
          if (!cols) {
            if (!warnedTables.has(e.table)) {
              warnedTables.add(e.table);
              yield {
                kind: 'warning',
                file,
                code: 'SQL_NO_COLUMNS',
                message: `rows of \`${e.table}\` have no column list and no CREATE TABLE was found for it; skipped`,
              };
            }
            continue;
          }
          if (cols.length !== e.values.length && !warnedTables.has(`#${e.table}`)) {
            warnedTables.add(`#${e.table}`);
            yield {
              kind: 'warning',
              file,
              code: 'SQL_COLUMN_COUNT',
              message: `\`${e.table}\` rows have ${e.values.length} values for ${cols.length} columns; read by position`,
            };
          }
          const row: Record<string, SqlValue> = {};
          for (let k = 0; k < cols.length; k++) row[cols[k]!] = e.values[k] ?? null;
          yield { kind: 'row', file, table: e.table, row };
        }
      }
    };
    const stream = createReadStream(file, { highWaterMark: options.chunkSize ?? 256 * 1024 });
    const gunzip = isGzip(file) ? createGunzip({ chunkSize: options.chunkSize ?? 256 * 1024 }) : null;
    if (gunzip) stream.on('error', (e) => gunzip.destroy(e));
    const src = gunzip ? stream.pipe(gunzip) : stream;
    try {
      for await (const chunk of src as AsyncIterable<Buffer>) {
        // bytes of the file as stored (compressed for .gz), to compare with its size
        options.onProgress?.(file, stream.bytesRead);
        const bytes = unwrap ? unwrap.push(chunk) : chunk;
        yield* toRows(reader.push(bytes));
      }
      if (unwrap) yield* toRows(reader.push(unwrap.push(new Uint8Array(0), true)));
      yield* toRows(reader.end());
    } catch (e) {
      if (!gunzip) throw e;
      yield {
        kind: 'warning',
        file,
        code: 'SQL_TRUNCATED',
        message: `the gzip archive is damaged or cut short (${(e as Error).message}); read up to there`,
      };
      yield* toRows(reader.end());
    } finally {
      gunzip?.destroy();
      stream.destroy();
    }
  }
}

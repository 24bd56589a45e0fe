/**
 * A streaming, byte-level tokenizer and statement reader for MySQL dumps (issue 11; legacy-formats.md §3.3, §4.4).
 *
 * No MySQL server and no whole statement in memory: bytes are pushed chunk by chunk; `CREATE TABLE` statements
 * (small) are collected whole to learn column orders, `INSERT`/`REPLACE … VALUES (…),(…)` are turned into one
 * row event per tuple as the tuples end, everything else (`DROP`, `LOCK TABLES`, `SET …`, `ALTER … KEYS`) is
 * skipped up to its `;`.
 *
 * Strings are kept as bytes until their closing quote and decoded then, in the file's encoding, so that
 * escapes are undone on bytes, never on decoded text. The one GBK trap (legacy-formats.md §3.3): a GBK/Big5
 * trail byte can be 0x5C, the backslash (GBK 「誠」 is D5 5C, 「謀」 D6 5C, 「運」 DF 5C; Big5 「功」 A5 5C).
 * - A dump written by the server or a client library that escapes charset-aware (mysqldump
 *   `--default-character-set=gbk`, phpMyAdmin and Navicat over a gbk connection) does NOT double that byte:
 *   the tokenizer must then take the byte after a lead byte 0x81–0xFE as part of the character
 *   (`multibyteAware: true`).
 * - A dump escaped byte by byte with PHP `addslashes()` (DedeCMS's own backup, EmpireBak, PHPCMS bakfile) DID
 *   double it (D5 5C 5C): a plain byte unescape is right there (`multibyteAware: false`).
 * The reader (read.ts) picks the mode from the dump's flavour and encoding.
 */
import iconv from 'iconv-lite';

/** A value as found in a dump: strings decoded, numbers as numbers (big integers as strings), NULL as null. */
export type SqlValue = string | number | null | Uint8Array;

export interface SqlColumn {
  name: string;
  /** Lower-case type name: `char`, `varchar`, `mediumtext`, `int`… */
  type: string;
  /** The declared length (`char(60)` → 60), when there is one. */
  length: number | null;
}

export type SqlEvent =
  | { kind: 'create'; table: string; columns: SqlColumn[] }
  | { kind: 'row'; table: string; columns: string[] | null; values: SqlValue[] }
  | { kind: 'charset'; charset: string }
  | { kind: 'warning'; code: string; message: string };

export interface TokenizerOptions {
  /** The encoding strings are decoded with (an iconv-lite name: `utf-8`, `gb18030`, `big5`). */
  encoding: string;
  /** Take the byte after a multi-byte lead byte (0x81–0xFE) inside strings as a trail byte, never an escape. */
  multibyteAware: boolean;
  /** Tables whose rows are wanted; the others are parsed but neither decoded nor emitted. Default: all. */
  wantTable?: (table: string) => boolean;
  /**
   * Told of each CREATE TABLE as soon as it is read — before the rows after it are filtered by `wantTable` in the
   * same chunk (events are handed out per chunk), so a table can be wanted because of its columns.
   */
  onCreate?: (table: string, columns: SqlColumn[]) => void;
}

type Token =
  | { t: 'word'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'str'; v: Uint8Array }
  | { t: 'num'; v: string }
  | { t: 'hex'; v: Uint8Array }
  | { t: 'punct'; v: string };

const St = { Normal: 0, LineComment: 1, BlockComment: 2, Str: 3, Backtick: 4 } as const;
/** The bytes a skipped statement is read at (Lexer.skipPlain): quotes, backtick, `;`, and `-`, `#`, `/`, `*`. */
const SKIP_STOPS = new Uint8Array(256);
for (const c of [0x27, 0x22, 0x60, 0x3b, 0x2d, 0x23, 0x2f, 0x2a]) SKIP_STOPS[c] = 1;
type St = (typeof St)[keyof typeof St];

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isWordByte = (c: number) =>
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  isDigit(c) ||
  c === 0x5f || // _
  c === 0x24 || // $
  c === 0x40 || // @ (@OLD_CHARACTER_SET_CLIENT, #@__ prefixes)
  c === 0x23 || // # inside #@__archives
  c >= 0x80;

/** MySQL string escapes: the byte after the backslash → the byte it stands for. */
const ESCAPES = new Map<number, number>([
  [0x30, 0x00], // \0
  [0x62, 0x08], // \b
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
  [0x5a, 0x1a], // \Z
]);

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

type Decoder = { decode(input: Uint8Array): string };
const decoders = new Map<string, Decoder | null>();

/** Node's own (ICU) decoder where it has one for the encoding — several times faster than iconv-lite — else iconv-lite. */
function nativeDecoder(encoding: string): Decoder | null {
  let d = decoders.get(encoding);
  if (d === undefined) {
    try {
      d = new TextDecoder(encoding);
    } catch {
      d = null;
    }
    decoders.set(encoding, d);
  }
  return d;
}

export function decodeBytes(bytes: Uint8Array, encoding: string): string {
  if (bytes.length === 0) return '';
  if (encoding === 'utf-8') return utf8.decode(bytes);
  if (encoding === 'latin1') return latin1.decode(bytes);
  const native = nativeDecoder(encoding);
  if (native) return native.decode(bytes);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}

/** Turns pushed bytes into tokens; keeps an incomplete token's bytes (or a string's parts) for the next chunk. */
class Lexer {
  private state: St = St.Normal;
  private carry: Uint8Array | null = null;
  private quote = 0;
  private parts: Uint8Array[] = [];
  private escPending = false;
  private quotePending = false;
  private leadPending = false;
  private condDepth = 0;
  private blockStar = false;
  /** Bytes consumed so far (for messages). */
  offset = 0;
  /**
   * Set while the rest of a statement is not wanted (the rows of a table the reader skips): outside strings and
   * comments only the bytes that can end the statement or start a string or comment are looked at, no token is made
   * of the others, and strings are read without their bytes being copied or handed out. `skipDepth` counts the
   * parentheses passed.
   */
  skipping = false;
  skipDepth = 0;

  private readonly opts: TokenizerOptions;
  private readonly emit: (tok: Token) => void;

  constructor(opts: TokenizerOptions, emit: (tok: Token) => void) {
    this.opts = opts;
    this.emit = emit;
  }

  /** True when the input ended inside a string, identifier or block comment. */
  get unfinished(): boolean {
    return (this.state === St.Str && !this.quotePending) || this.state === St.Backtick;
  }

  push(chunk: Uint8Array, final: boolean): void {
    let b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      b = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const n = b.length;
    this.backslashIn = null; // a chunk's remembered backslash is for that chunk only
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case St.LineComment: {
          while (i < n && b[i] !== 0x0a) i++;
          if (i < n) {
            i++;
            this.state = St.Normal;
          }
          break;
        }
        case St.BlockComment: {
          while (i < n) {
            const c = b[i++]!;
            if (this.blockStar && c === 0x2f) {
              this.state = St.Normal;
              this.blockStar = false;
              break;
            }
            this.blockStar = c === 0x2a;
          }
          break;
        }
        case St.Str:
          i = this.string(b, i, n);
          break;
        case St.Backtick: {
          const start = i;
          while (i < n && b[i] !== 0x60) i++;
          if (i > start) this.parts.push(b.subarray(start, i));
          if (i < n) {
            // `` inside a quoted identifier is a literal backtick
            if (i + 1 >= n && !final) {
              this.carry = b.subarray(i);
              i = n;
              break;
            }
            if (b[i + 1] === 0x60) {
              this.parts.push(new Uint8Array([0x60]));
              i += 2;
              break;
            }
            i++;
            this.emit({ t: 'ident', v: decodeBytes(concat(this.parts), this.opts.encoding) });
            this.parts = [];
            this.state = St.Normal;
          }
          break;
        }
        default: {
          if (this.skipping) {
            i = this.skipPlain(b, i, n);
            if (i >= n) break;
          }
          const r = this.normal(b, i, n, final);
          if (r < 0) {
            this.carry = b.subarray(i);
            this.offset += i;
            return;
          }
          i = r;
        }
      }
    }
    this.offset += n;
    if (final && this.state === St.Str && this.quotePending) this.endString();
  }

  private endString(): void {
    // a view into the reused buffer: the reader decodes it at once, and copies it where it keeps it
    if (!this.skipping) this.emit({ t: 'str', v: this.acc.subarray(0, this.accLen) });
    this.accLen = 0;
    this.quotePending = false;
    this.state = St.Normal;
  }

  /** The bytes of the string being read, unescaped (grown as needed, reused between strings). */
  private acc = Buffer.allocUnsafe(64 * 1024);
  private accLen = 0;

  private append(b: Buffer, from: number, to: number): void {
    const len = to - from;
    if (len <= 0 || this.skipping) return;
    this.reserve(len);
    b.copy(this.acc, this.accLen, from, to);
    this.accLen += len;
  }

  private appendByte(x: number): void {
    if (this.skipping) return;
    this.reserve(1);
    this.acc[this.accLen++] = x;
  }

  private reserve(len: number): void {
    if (this.accLen + len <= this.acc.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.acc.length * 2, this.accLen + len));
    this.acc.copy(next, 0, 0, this.accLen);
    this.acc = next;
  }

  /** The chunk `backslashAt` was found in, and where: -1 for none after the last search. */
  private backslashIn: Buffer | null = null;
  private backslashAt = -1;

  /**
   * The next backslash in `b` at or after `i`, or -1. Remembered per chunk: most strings have none, and searching
   * afresh for each string would scan the rest of the chunk once per string (quadratic in strings per chunk).
   */
  private nextBackslash(b: Buffer, i: number): number {
    if (this.backslashIn === b && (this.backslashAt < 0 || this.backslashAt >= i)) return this.backslashAt;
    this.backslashIn = b;
    this.backslashAt = b.indexOf(0x5c, i);
    return this.backslashAt;
  }

  /** Inside a quoted string: copy runs of plain bytes, undo escapes, watch for the closing quote. */
  private string(b: Buffer, i: number, n: number): number {
    const q = this.quote;
    const mb = this.opts.multibyteAware;
    let run = i;
    while (i < n) {
      if (this.escPending) {
        const c = b[i]!;
        this.escPending = false;
        const mapped = ESCAPES.get(c);
        if (mapped !== undefined) this.appendByte(mapped);
        else {
          if (c === 0x25 || c === 0x5f) this.appendByte(0x5c); // \% and \_ stay as written
          this.appendByte(c);
        }
        i++;
        run = i;
        continue;
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (b[i] === q) {
          // a doubled quote is one quote
          this.appendByte(q);
          i++;
          run = i;
          continue;
        }
        this.endString();
        return i;
      }
      if (this.leadPending) {
        this.leadPending = false;
        i++;
        continue;
      }
      if (!mb) {
        // no multi-byte trap: jump to the next quote or backslash
        const nq = b.indexOf(q, i);
        const nb = this.nextBackslash(b, i);
        const stop = nq < 0 ? nb : nb < 0 ? nq : Math.min(nq, nb);
        if (stop < 0) {
          i = n;
          break;
        }
        i = stop;
      } else {
        // a tight loop over plain bytes and whole two-byte characters, to the next quote, backslash or a lead byte
        // that ends the chunk (left to the general case below)
        while (i < n) {
          const c = b[i]!;
          if (c === q || c === 0x5c) break;
          if (c >= 0x81 && c <= 0xfe) {
            if (i + 1 >= n) break;
            i += 2;
          } else i++;
        }
        if (i >= n) break;
      }
      const c = b[i]!;
      if (c === q) {
        this.append(b, run, i);
        i++;
        run = i;
        this.quotePending = true;
        continue;
      }
      if (c === 0x5c) {
        this.append(b, run, i);
        i++;
        run = i;
        this.escPending = true;
        continue;
      }
      if (mb && c >= 0x81 && c <= 0xfe) {
        // a lead byte: the next byte belongs to the character, even when it is 0x5C or a quote-like byte
        i++;
        if (i < n) i++;
        else this.leadPending = true;
        continue;
      }
      i++;
    }
    this.append(b, run, i);
    return i;
  }

  /**
   * While skipping: past every byte outside strings that neither ends the statement nor starts a string, an
   * identifier or a comment (numbers, words, commas, spaces), counting parentheses. Returns the index of the next
   * byte `normal` must read, or `n`.
   */
  private skipPlain(b: Uint8Array, i: number, n: number): number {
    for (; i < n; i++) {
      const c = b[i]!;
      if (c === 0x28) this.skipDepth++;
      else if (c === 0x29) this.skipDepth--;
      else if (SKIP_STOPS[c] === 1) return i;
    }
    return n;
  }

  /** Outside strings. Returns the next index, or -1 when the rest must wait for more bytes. */
  private normal(b: Uint8Array, i: number, n: number, final: boolean): number {
    const c = b[i]!;
    if (isSpace(c)) return i + 1;
    const need = (k: number) => i + k >= n && !final;
    if (c === 0x27 || c === 0x22) {
      this.state = St.Str;
      this.quote = c;
      this.accLen = 0;
      return i + 1;
    }
    if (c === 0x60) {
      this.state = St.Backtick;
      this.parts = [];
      return i + 1;
    }
    if (c === 0x2d) {
      // "-- " comment (MySQL wants a space or control character after the dashes)
      if (need(2)) return -1;
      if (b[i + 1] === 0x2d && (i + 2 >= n || b[i + 2]! <= 0x20)) {
        this.state = St.LineComment;
        return i + 2;
      }
      this.emit({ t: 'punct', v: '-' });
      return i + 1;
    }
    if (c === 0x23) {
      if (need(1)) return -1;
      if (b[i + 1] === 0x40) return this.word(b, i, n, final); // #@__ table prefix placeholder
      this.state = St.LineComment;
      return i + 1;
    }
    if (c === 0x2f) {
      if (need(1)) return -1;
      if (b[i + 1] === 0x2a) {
        if (need(3)) return -1;
        if (b[i + 2] === 0x21) {
          // /*!40101 … */: a versioned comment whose content MySQL executes, so we read it as SQL
          let j = i + 3;
          while (j < n && isDigit(b[j]!)) j++;
          if (j >= n && !final) return -1;
          this.condDepth++;
          return j;
        }
        this.state = St.BlockComment;
        this.blockStar = false;
        return i + 2;
      }
      this.emit({ t: 'punct', v: '/' });
      return i + 1;
    }
    if (c === 0x2a) {
      if (need(1)) return -1;
      if (this.condDepth > 0 && b[i + 1] === 0x2f) {
        this.condDepth--;
        return i + 2;
      }
      this.emit({ t: 'punct', v: '*' });
      return i + 1;
    }
    if (isDigit(c) || (c === 0x2e && i + 1 < n && isDigit(b[i + 1]!))) return this.number(b, i, n, final);
    if (isWordByte(c)) return this.word(b, i, n, final);
    this.emit({ t: 'punct', v: String.fromCharCode(c) });
    return i + 1;
  }

  private word(b: Uint8Array, i: number, n: number, final: boolean): number {
    let j = i + 1;
    while (j < n && isWordByte(b[j]!)) j++;
    if (j >= n && !final) return -1;
    this.emit({ t: 'word', v: decodeBytes(b.subarray(i, j), this.opts.encoding) });
    return j;
  }

  private number(b: Uint8Array, i: number, n: number, final: boolean): number {
    let j = i;
    if (b[i] === 0x30 && (b[i + 1] === 0x78 || b[i + 1] === 0x58)) {
      j = i + 2;
      while (j < n && /[0-9a-fA-F]/.test(String.fromCharCode(b[j]!))) j++;
      if (j >= n && !final) return -1;
      this.emit({ t: 'hex', v: Buffer.from(latin1.decode(b.subarray(i + 2, j)), 'hex') });
      return j;
    }
    while (j < n) {
      const c = b[j]!;
      if (isDigit(c) || c === 0x2e) j++;
      else if ((c === 0x65 || c === 0x45) && j + 1 < n) {
        j++;
        if (b[j] === 0x2b || b[j] === 0x2d) j++;
      } else break;
    }
    if (j >= n && !final) return -1;
    this.emit({ t: 'num', v: latin1.decode(b.subarray(i, j)) });
    return j;
  }
}

const IGNORABLE_KEYS = new Set([
  'PRIMARY',
  'KEY',
  'INDEX',
  'UNIQUE',
  'CONSTRAINT',
  'FULLTEXT',
  'SPATIAL',
  'FOREIGN',
  'CHECK',
]);

/** The largest statement head (tokens before VALUES, or a whole non-INSERT statement) kept in memory. */
const MAX_HEAD_TOKENS = 200_000;

/**
 * Reads statements from pushed bytes. `push()` returns the events the bytes completed; call `end()` after the
 * last chunk. The encoding may be changed between chunks (`setEncoding`), e.g. per volume file.
 */
export class SqlStatementReader {
  private lexer: Lexer;
  private opts: TokenizerOptions;
  private out: SqlEvent[] = [];
  private head: Token[] = [];
  private mode: 'head' | 'values' | 'skip' = 'head';
  private table = '';
  private columns: string[] | null = null;
  // values mode
  private row: SqlValue[] | null = null;
  private cur: SqlValue | undefined = undefined;
  private sign = '';
  private pendingWord: string | null = null;
  private fnDepth = 0;
  private afterRow = false;
  private ignoring = false;
  /** Rows read so far (of the tables wanted). */
  rows = 0;

  constructor(opts: TokenizerOptions) {
    this.opts = { ...opts };
    this.lexer = new Lexer(this.opts, (t) => this.token(t));
  }

  setEncoding(encoding: string, multibyteAware: boolean): void {
    this.opts.encoding = encoding;
    this.opts.multibyteAware = multibyteAware;
  }

  get offset(): number {
    return this.lexer.offset;
  }

  push(chunk: Uint8Array): SqlEvent[] {
    this.lexer.push(chunk, false);
    return this.drain();
  }

  /** Ends the input; an unfinished statement becomes a `SQL_TRUNCATED` warning (its partial row is dropped). */
  end(): SqlEvent[] {
    this.lexer.push(new Uint8Array(0), true);
    if (
      this.lexer.unfinished ||
      (this.mode === 'values' && (this.row !== null || (this.lexer.skipping && this.lexer.skipDepth > 0)))
    ) {
      this.out.push({
        kind: 'warning',
        code: 'SQL_TRUNCATED',
        message: `the dump ends inside a ${this.lexer.unfinished ? 'string' : 'row'} of \`${this.table}\` at byte ${this.lexer.offset}: the last row is incomplete and was dropped`,
      });
    } else if (this.mode === 'head' && this.head.length > 0) {
      this.finishHead();
    }
    this.reset();
    return this.drain();
  }

  private drain(): SqlEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private reset(): void {
    this.lexer.skipping = false;
    this.head = [];
    this.mode = 'head';
    this.row = null;
    this.cur = undefined;
    this.sign = '';
    this.pendingWord = null;
    this.fnDepth = 0;
    this.afterRow = false;
  }

  private token(t: Token): void {
    // A skipped statement's only token that counts is the `;` that ends it.
    if (this.lexer.skipping && !(t.t === 'punct' && t.v === ';')) return;
    if (this.mode === 'values') {
      this.valueToken(t);
      return;
    }
    if (this.mode === 'skip') {
      if (t.t === 'punct' && t.v === ';') this.reset();
      return;
    }
    if (t.t === 'punct' && t.v === ';') {
      this.finishHead();
      this.reset();
      return;
    }
    const first = this.head[0];
    if (
      t.t === 'word' &&
      /^VALUES?$/i.test(t.v) &&
      first?.t === 'word' &&
      /^(INSERT|REPLACE)$/i.test(first.v) &&
      this.startValues()
    ) {
      this.mode = 'values';
      return;
    }
    this.head.push(t.t === 'str' ? { t: 'str', v: Uint8Array.prototype.slice.call(t.v) } : t);
    if (this.head.length > MAX_HEAD_TOKENS) {
      this.out.push({
        kind: 'warning',
        code: 'SQL_STATEMENT_SKIPPED',
        message: `a statement starting "${this.describeHead()}" is too long to be a statement the importer reads; skipped`,
      });
      this.head = [];
      this.mode = 'skip';
    }
  }

  private describeHead(): string {
    return this.head
      .slice(0, 4)
      .map((t) => (t.t === 'str' || t.t === 'hex' ? "'…'" : t.v))
      .join(' ');
  }

  /** INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] tbl [(cols)] VALUES */
  private startValues(): boolean {
    const h = this.head;
    let i = 1;
    const modifier = /^(LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE|INTO)$/i;
    for (let tk = h[i]; tk?.t === 'word' && modifier.test(tk.v); tk = h[i]) i++;
    const name = this.tableName(h, i);
    if (!name) return false;
    i = name.next;
    let cols: string[] | null = null;
    if (h[i]?.t === 'punct' && h[i]!.v === '(') {
      cols = [];
      i++;
      while (i < h.length && !(h[i]!.t === 'punct' && h[i]!.v === ')')) {
        const tk = h[i]!;
        if (tk.t === 'ident' || tk.t === 'word') cols.push(tk.v);
        i++;
      }
    }
    this.table = name.table;
    this.columns = cols;
    this.ignoring = this.opts.wantTable ? !this.opts.wantTable(name.table) : false;
    // The rows of a table not wanted are skipped to the statement's end (issue 11: a DedeCMS dump is read twice, and
    // each pass made tokens of every value of the tables the other pass wants).
    this.lexer.skipping = this.ignoring;
    this.lexer.skipDepth = 0;
    this.head = [];
    this.row = null;
    this.afterRow = false;
    return true;
  }

  private tableName(h: Token[], i: number): { table: string; next: number } | null {
    let tk = h[i];
    if (!tk || (tk.t !== 'ident' && tk.t !== 'word')) return null;
    let table = tk.v;
    i++;
    // db.table (a word token may already hold "db.table" when unquoted)
    while (h[i]?.t === 'punct' && h[i]!.v === '.') {
      tk = h[i + 1];
      if (!tk || (tk.t !== 'ident' && tk.t !== 'word')) break;
      table = tk.v;
      i += 2;
    }
    if (table.includes('.')) table = table.slice(table.lastIndexOf('.') + 1);
    return { table, next: i };
  }

  private finishHead(): void {
    const h = this.head;
    if (h.length === 0) return;
    const w = (k: number) => (h[k]?.t === 'word' ? h[k]!.v.toUpperCase() : '');
    if (w(0) === 'SET' && w(1) === 'NAMES') {
      const v = h[2];
      if (v && (v.t === 'word' || v.t === 'ident')) this.out.push({ kind: 'charset', charset: v.v });
      else if (v?.t === 'str') this.out.push({ kind: 'charset', charset: decodeBytes(v.v, 'latin1') });
      return;
    }
    if (w(0) === 'CREATE') {
      let i = 1;
      if (w(i) === 'TEMPORARY') i++;
      if (w(i) !== 'TABLE') return;
      i++;
      if (w(i) === 'IF' && w(i + 1) === 'NOT' && w(i + 2) === 'EXISTS') i += 3;
      const name = this.tableName(h, i);
      if (!name) return;
      const columns = parseColumns(h, name.next);
      this.opts.onCreate?.(name.table, columns);
      this.out.push({ kind: 'create', table: name.table, columns });
    }
    if (w(0) === 'INSERT' || w(0) === 'REPLACE') {
      this.out.push({
        kind: 'warning',
        code: 'SQL_STATEMENT_SKIPPED',
        message: `an INSERT without VALUES ("${this.describeHead()}", e.g. INSERT … SELECT or INSERT … SET) is not read`,
      });
    }
  }

  private value(v: SqlValue): void {
    if (this.cur !== undefined && !this.ignoring) {
      this.bad('two values without a comma');
      return;
    }
    this.cur = v;
  }

  private valueToken(t: Token): void {
    if (this.row === null) {
      // between tuples: "(" starts one, "," separates, ";" ends the statement
      if (t.t === 'punct' && t.v === '(') {
        this.row = [];
        this.cur = undefined;
        this.afterRow = false;
        return;
      }
      if (t.t === 'punct' && t.v === ',' && this.afterRow) {
        this.afterRow = false;
        return;
      }
      if (t.t === 'punct' && t.v === ';') {
        this.reset();
        return;
      }
      if (t.t === 'word' && this.afterRow) {
        // ON DUPLICATE KEY UPDATE …: the rows are read, the rest is not needed
        this.mode = 'skip';
        return;
      }
      this.bad(`unexpected ${t.t} "${t.t === 'str' ? '…' : String(t.v)}" between rows`);
      return;
    }
    if (this.fnDepth > 0) {
      // a function call as a value (NOW(), CHAR(…)): kept as its text, arguments not evaluated
      if (t.t === 'punct' && t.v === '(') this.fnDepth++;
      else if (t.t === 'punct' && t.v === ')') this.fnDepth--;
      return;
    }
    if (this.pendingWord !== null) {
      const word = this.pendingWord;
      this.pendingWord = null;
      if (t.t === 'str') {
        const lw = word.toLowerCase();
        if (lw === 'x') this.value(Buffer.from(decodeBytes(t.v, 'latin1'), 'hex'));
        else if (lw === '_binary' || lw === 'b') this.value(Uint8Array.prototype.slice.call(t.v));
        else if (lw.startsWith('_')) {
          // a charset introducer: _utf8'…', _gbk'…', _latin1'…'
          const enc = lw === '_latin1' ? 'latin1' : lw.startsWith('_utf8') ? 'utf-8' : this.opts.encoding;
          this.value(decodeBytes(t.v, enc));
        } else this.value(decodeBytes(t.v, this.opts.encoding));
        return;
      }
      if (t.t === 'punct' && t.v === '(') {
        this.value(word);
        this.fnDepth = 1;
        return;
      }
      const uw = word.toUpperCase();
      this.value(uw === 'NULL' ? null : uw === 'TRUE' ? 1 : uw === 'FALSE' ? 0 : word);
      // fall through: t still has to be handled
    }
    switch (t.t) {
      case 'str':
        this.value(this.ignoring ? null : decodeBytes(t.v, this.opts.encoding));
        return;
      case 'num': {
        const text = this.sign + t.v;
        this.sign = '';
        const n = Number(text);
        this.value(Number.isFinite(n) && (!/^-?\d+$/.test(text) || Number.isSafeInteger(n)) ? n : text);
        return;
      }
      case 'hex':
        this.value(t.v); // already a fresh buffer
        return;
      case 'word':
        this.pendingWord = t.v;
        return;
      case 'ident':
        this.value(t.v);
        return;
      default:
        break;
    }
    if (t.v === '-' || t.v === '+') {
      this.sign = t.v === '-' ? '-' : '';
      return;
    }
    if (t.v === ',') {
      this.row.push(this.cur === undefined ? null : this.cur);
      this.cur = undefined;
      return;
    }
    if (t.v === ')') {
      if (this.cur !== undefined || this.row.length > 0) this.row.push(this.cur === undefined ? null : this.cur);
      if (!this.ignoring) this.out.push({ kind: 'row', table: this.table, columns: this.columns, values: this.row });
      this.rows++;
      this.row = null;
      this.cur = undefined;
      this.afterRow = true;
      return;
    }
    this.bad(`unexpected "${t.v}" in a row`);
  }

  private bad(what: string): void {
    this.out.push({
      kind: 'warning',
      code: 'SQL_SYNTAX',
      message: `\`${this.table}\` near byte ${this.lexer.offset}: ${what}; the rest of this INSERT statement was skipped`,
    });
    this.mode = 'skip';
    this.row = null;
  }
}

/** Column definitions of a CREATE TABLE from its tokens (after the table name). */
function parseColumns(h: Token[], start: number): SqlColumn[] {
  let i = start;
  while (i < h.length && !(h[i]!.t === 'punct' && h[i]!.v === '(')) i++;
  i++;
  const cols: SqlColumn[] = [];
  let depth = 0;
  let def: Token[] = [];
  const flush = () => {
    const first = def[0];
    if (
      first &&
      (first.t === 'ident' || first.t === 'word') &&
      !(first.t === 'word' && IGNORABLE_KEYS.has(first.v.toUpperCase()))
    ) {
      const second = def[1];
      const type = second?.t === 'word' ? second.v.toLowerCase() : '';
      const len = def[2]?.t === 'punct' && def[2].v === '(' && def[3]?.t === 'num' ? Number(def[3].v) : null;
      cols.push({ name: first.v, type, length: len });
    }
    def = [];
  };
  for (; i < h.length; i++) {
    const tk = h[i]!;
    if (tk.t === 'punct' && tk.v === '(') depth++;
    if (tk.t === 'punct' && tk.v === ')') {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && tk.t === 'punct' && tk.v === ',') {
      flush();
      continue;
    }
    def.push(tk);
  }
  flush();
  return cols;
}

/** What the DedeCMS and PHPCMS adapters share: sniffing by names and first bytes, pass bookkeeping, events. */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type ImportEvent, ImportSourceError, type SourceInput } from '../record.ts';
import type { DumpEvent } from './read.ts';
import { DUMP_FILE, dumpFiles } from './read.ts';
import { constants, gunzipSync } from 'node:zlib';

const latin1 = new TextDecoder('latin1');

/** File names under a folder (two levels: `bdata/<db>/<table>_N.php`), for sniffing only. */
export function namesUnder(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const n of readdirSync(dir)) {
      out.push(n);
      const p = join(dir, n);
      if (statSync(p).isDirectory()) for (const m of readdirSync(p).slice(0, 500)) out.push(m);
      if (out.length > 2000) break;
    }
  } catch {
    // unreadable: not ours to say
  }
  return out;
}

/**
 * How sure an adapter is, from the first bytes and the file names: `strong` patterns (a table of this system
 * named in the head) give 0.95, `names` (volume files named after its tables) 0.9, `weak` ones 0.6.
 */
export function sniffDump(input: SourceInput, p: { strong: RegExp; weak: RegExp; names: RegExp; not: RegExp }): number {
  const names = input.isDirectory ? input.paths.flatMap(namesUnder) : input.paths.map((x) => basename(x));
  if (!input.isDirectory && !input.paths.every((x) => DUMP_FILE.test(x))) return 0;
  // A folder holding the dump (`dump.sql` beside nothing that names a table): its first dump file's head.
  let bytes = input.head ?? (input.isDirectory ? headOfFirstDump(input.paths) : null);
  if (bytes && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // a gzipped dump: what the first compressed bytes hold
    try {
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      bytes = null;
    }
  }
  const head = bytes ? latin1.decode(bytes) : '';
  if (head && p.not.test(head) && !p.strong.test(head)) return 0;
  if (p.strong.test(head)) return 0.95;
  if (names.some((n) => p.names.test(n))) return 0.9;
  if (p.weak.test(head)) return 0.6;
  return 0;
}

/** The first 64 KiB of the first dump file directly in (or one level below) the given folders, for sniffing. */
function headOfFirstDump(dirs: string[]): Buffer | null {
  for (const dir of dirs) {
    const top: string[] = [];
    const below: string[] = [];
    try {
      for (const n of readdirSync(dir).sort()) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) {
          for (const m of readdirSync(p).sort().slice(0, 500)) if (DUMP_FILE.test(m)) below.push(join(p, m));
        } else if (DUMP_FILE.test(n)) top.push(p);
      }
    } catch {
      continue;
    }
    const first = top[0] ?? below[0];
    if (!first) continue;
    let fd: number | null = null;
    try {
      fd = openSync(first, 'r');
      const buf = Buffer.alloc(64 * 1024);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    } catch {
      // unreadable: not ours to say
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
  return null;
}

export async function filesOf(paths: string[], system: string): Promise<string[]> {
  const files = await dumpFiles(paths);
  if (files.length === 0)
    throw new ImportSourceError(
      'IMPORT_SOURCE_EMPTY',
      `no .sql, .txt or .php dump file found in ${paths.join(', ')} for ${system}`,
    );
  return files;
}

/** The import events for the reader's own events (encodings once per file, warnings with the file name). */
export function passThrough(ev: DumpEvent, firstPass: boolean): ImportEvent | null {
  if (ev.kind === 'encoding' && firstPass)
    return { type: 'encoding', encoding: ev.encoding, where: basename(ev.file), how: ev.how };
  if (ev.kind === 'warning' && firstPass)
    return { type: 'warning', warning: { code: ev.code, message: `${basename(ev.file)}: ${ev.message}` } };
  return null;
}

/**
 * Learns a dump's table prefix from the first table that looks like the system's key table (`dede_archives`,
 * `#@__arctype`, `v9_news`, a custom `gov_`…), and maps prefixed table names to logical ones. Tables with
 * another prefix (a second site in the same database) are reported once and ignored.
 */
export class PrefixResolver {
  prefix: string | null = null;
  private readonly key: RegExp;
  private readonly others = new Set<string>();

  constructor(key: RegExp) {
    this.key = key;
  }

  logical(table: string): string | null {
    if (this.prefix === null) {
      const m = this.key.exec(table);
      if (m) this.prefix = m[1] ?? '';
    }
    if (this.prefix === null || !table.startsWith(this.prefix)) {
      const m = this.key.exec(table);
      if (m) this.others.add(m[1] ?? '');
      return null;
    }
    return table.slice(this.prefix.length);
  }

  /** Key-table prefixes seen besides the one read. */
  otherPrefixes(): string[] {
    return [...this.others].filter((p) => p !== this.prefix);
  }
}

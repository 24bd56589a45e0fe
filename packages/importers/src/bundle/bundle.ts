/**
 * The JSON Lines / CSV bundle (issue 11: "a documented JSON Lines / CSV bundle for every other system"; format in
 * docs/import.md). A folder (or the files themselves) holding `columns.jsonl|csv`, `items.jsonl|csv` and
 * `files.jsonl|csv`, each line one record of src/record.ts, plus an optional `bundle.json` ({ siteName, baseUrl }).
 * Every file is streamed line by line (a 1 GB bundle is never held in memory), decoded after detection
 * (UTF-8 with or without BOM, or GB18030 for a site's own script that wrote GBK), and validated with zod: a bad
 * line becomes a `BAD_LINE` warning naming the file and line, never an exception.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { z } from 'zod';
import {
  type ImportEvent,
  type ImportSource,
  ImportSourceError,
  type LegacyColumn,
  type LegacyFile,
  type LegacyItem,
  type OpenOptions,
  type SourceAdapter,
  type SourceInput,
} from '../record.ts';
import { decodeStream, detectEncoding } from '../text/encoding.ts';

const str = (max: number) => z.string().max(max);
const opt = (max: number) => str(max).nullish();
const urlList = z.array(str(2000)).max(200).default([]);
const fileRef = z.object({
  url: str(2000).min(1),
  name: opt(300),
  mediaType: opt(200),
  size: z.number().int().nonnegative().nullish(),
});
const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO 8601 date or time');

export const bundleColumn = z.object({
  sourceId: str(200).min(1),
  parentSourceId: opt(200),
  name: str(200).min(1),
  slug: opt(200),
  description: opt(1000),
  keywords: opt(500),
  kind: z.enum(['list', 'page', 'link']).nullish(),
  position: z.number().int().nullish(),
  oldUrls: urlList,
});

export const bundleItem = z.object({
  sourceId: str(200).min(1),
  kind: z.enum(['article', 'page', 'document']).default('article'),
  status: z.enum(['published', 'draft', 'pending', 'private', 'trash', 'scheduled']).default('published'),
  columnSourceIds: z.array(str(200)).max(50).default([]),
  title: str(1000),
  subtitle: opt(1000),
  summary: opt(5000),
  bodyHtml: z.string().max(5_000_000).default(''),
  author: opt(200),
  source: opt(300),
  keywords: z.array(str(100)).max(50).default([]),
  tags: z.array(str(100)).max(50).default([]),
  publishedAt: isoWithOffset.nullish(),
  updatedAt: isoWithOffset.nullish(),
  slug: opt(200),
  thumbnail: fileRef.nullish(),
  attachments: z.array(fileRef).max(200).default([]),
  govMeta: z
    .object({
      indexNumber: opt(100),
      docNumber: opt(200),
      issuingBody: opt(300),
      writtenAt: opt(40),
      issuedAt: opt(40),
      topic: opt(200),
    })
    .nullish(),
  oldUrls: urlList,
});

export const bundleFile = z.object({
  sourceId: str(200).min(1),
  url: str(2000).min(1),
  name: opt(300),
  mediaType: opt(200),
  size: z.number().int().nonnegative().nullish(),
  itemSourceId: opt(200),
});

const KINDS = ['columns', 'items', 'files'] as const;
type BundleKind = (typeof KINDS)[number];
const FILE_NAME = /^(columns|items|files)\.(jsonl|ndjson|csv)$/i;

/** The bundle files found among the inputs (a folder is listed; files are taken by their names). */
async function bundleFiles(input: SourceInput): Promise<{ kind: BundleKind; path: string; csv: boolean }[]> {
  const paths: string[] = [];
  for (const p of input.paths) {
    if ((await stat(p)).isDirectory()) for (const name of await readdir(p)) paths.push(join(p, name));
    else paths.push(p);
  }
  const found = paths.flatMap((path) => {
    const m = FILE_NAME.exec(basename(path));
    return m ? [{ kind: m[1]!.toLowerCase() as BundleKind, path, csv: m[2]!.toLowerCase() === 'csv' }] : [];
  });
  return found.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
}

/** CSV cells: lists are `|`-separated; attachments `url` or `name=url`; govMeta and thumbnails flattened. */
function fromCsv(kind: BundleKind, row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = (v: string | undefined) =>
    v
      ? v
          .split('|')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  for (const [k, raw] of Object.entries(row)) {
    const v = raw === '' ? undefined : raw;
    if (v === undefined) continue;
    if (['oldUrls', 'columnSourceIds', 'keywords', 'tags'].includes(k)) out[k] = list(v);
    else if (k === 'position' || k === 'size') out[k] = Number(v);
    else if (k === 'attachments')
      out[k] = list(v).map((a) => {
        const eq = a.indexOf('=');
        return eq > 0 && !/^https?:/i.test(a) ? { name: a.slice(0, eq), url: a.slice(eq + 1) } : { url: a };
      });
    else if (k === 'thumbnail') out[k] = { url: v };
    else if (
      ['indexNumber', 'docNumber', 'issuingBody', 'writtenAt', 'issuedAt', 'topic'].includes(k) &&
      kind === 'items'
    )
      out.govMeta = { ...((out.govMeta as object) ?? {}), [k]: v };
    else out[k] = v;
  }
  return out;
}

/** Lines (JSONL) or rows (CSV) of one file with their line numbers, decoded as detected. */
async function* rows(
  file: { path: string; csv: boolean },
  encoding: string,
): AsyncGenerator<{ line: number; value: unknown; error?: string }> {
  const text = createReadStream(file.path).pipe(decodeStream(encoding));
  if (!file.csv) {
    let line = 0;
    for await (const l of createInterface({ input: text, crlfDelay: Infinity })) {
      line += 1;
      if (!l.trim()) continue;
      try {
        yield { line, value: JSON.parse(l) };
      } catch (e) {
        yield { line, value: null, error: `not JSON: ${(e as Error).message}` };
      }
    }
    return;
  }
  const parser = text.pipe(
    parseCsv({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>)
      yield { line: rec.info.lines, value: rec.record };
  } catch (e) {
    // A CSV error (an unclosed quote) stops the file: what follows cannot be told apart.
    yield { line: 0, value: null, error: `CSV unreadable from here: ${(e as Error).message}` };
  }
}

async function headOf(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const schemas = { columns: bundleColumn, items: bundleItem, files: bundleFile };

export const bundleAdapter: SourceAdapter = {
  system: 'bundle',
  sniff(input: SourceInput): number {
    const names = input.paths.map((p) => basename(p));
    if (names.some((n) => FILE_NAME.test(n))) return 0.9;
    // A folder: only sure once listed (open checks); a modest guess so that named adapters win.
    return input.isDirectory ? 0.2 : 0;
  },
  async open(input: SourceInput, options: OpenOptions): Promise<ImportSource> {
    const files = await bundleFiles(input);
    if (!files.some((f) => f.kind === 'items'))
      throw new ImportSourceError(
        'BUNDLE_UNREADABLE',
        'A bundle needs items.jsonl or items.csv (with columns.* and files.* beside it when there are any)',
      );
    const manifestPath = input.paths
      .map((p) => (FILE_NAME.test(basename(p)) ? join(p, '..') : p))
      .map((d) => join(d, 'bundle.json'))[0]!;
    let manifest: { siteName?: string; baseUrl?: string } = {};
    try {
      manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new ImportSourceError('BUNDLE_UNREADABLE', `bundle.json is not valid JSON: ${(e as Error).message}`);
    }
    const encodings = new Map<string, ReturnType<typeof detectEncoding>>();
    for (const f of files) {
      const forced = options.encoding;
      encodings.set(
        f.path,
        forced ? { encoding: forced, how: 'declared' } : detectEncoding(await headOf(f.path), 'text'),
      );
    }
    return {
      system: 'bundle',
      siteName: manifest.siteName ?? null,
      baseUrl: manifest.baseUrl ?? options.baseUrls?.[0] ?? null,
      async *read(): AsyncGenerator<ImportEvent> {
        for (const f of files) {
          const enc = encodings.get(f.path)!;
          const where = basename(f.path);
          yield { type: 'encoding', encoding: enc.encoding, where, how: enc.how };
          for await (const row of rows(f, enc.encoding)) {
            const at = `${where}:${row.line}`;
            if (row.error) {
              yield { type: 'warning', warning: { code: 'BAD_LINE', message: `${at}: ${row.error}` } };
              continue;
            }
            const value = f.csv ? fromCsv(f.kind, row.value as Record<string, string>) : row.value;
            const parsed = schemas[f.kind].safeParse(value);
            if (!parsed.success) {
              const issue = parsed.error.issues[0]!;
              const sourceId = (value as { sourceId?: unknown })?.sourceId;
              yield {
                type: 'warning',
                warning: {
                  code: 'BAD_LINE',
                  message: `${at}: ${issue.path.join('.') || '(line)'}: ${issue.message}`,
                  sourceId: typeof sourceId === 'string' ? sourceId : null,
                },
              };
              continue;
            }
            if (f.kind === 'columns') yield { type: 'column', column: parsed.data as LegacyColumn };
            else if (f.kind === 'files') yield { type: 'file', file: parsed.data as LegacyFile };
            else {
              const item = parsed.data as LegacyItem;
              yield { type: 'item', item: { ...item, publishedAt: item.publishedAt ?? null } };
            }
          }
        }
      },
    };
  },
};

/**
 * The static-site snapshot adapter (issue 11: "A static site snapshot: a folder or zip of an old site's published
 * pages … list and detail pages told apart, title/date/source/body taken from the national page metadata …, from
 * the 信息公开 metadata table …, and otherwise by content extraction; the column tree inferred from the URL
 * structure and breadcrumbs"). Consolidation of the city's sites onto the platform: 2015 §9, 2017 §2.
 *
 * Two passes over the snapshot, each a walk that holds one page at a time:
 *   1. classify every page and gather, per column directory, only names (with votes) and list-page URLs;
 *   2. emit the columns (parents first), then walk again and emit one item per detail page.
 * Memory is bounded by the number of columns, not pages; `read()` can be called again and yields the same events.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type OpenedFileStore, openFileStore } from '../files/file-store.ts';
import type {
  ImportEvent,
  ImportSource,
  LegacyColumn,
  LegacyItem,
  LegacyStoredFile,
  OpenOptions,
  SourceAdapter,
  SourceInput,
} from '../record.ts';
import { ImportSourceError } from '../record.ts';
import { decode, detectEncoding, normaliseEncodingName } from '../text/encoding.ts';
import type { ParsedPage } from './page.ts';
import {
  articleContinuation,
  columnChain,
  continuationPaths,
  hasNoExtension,
  isHtmlName,
  listPageUrls,
  parentKey,
  resolveLink,
  slugOf,
  urlHint,
} from './urls.ts';

/** Pages larger than this are not parsed (a warning says so). */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;
/** Most distinct candidate names kept per column (memory stays per column, not per page). */
const MAX_NAMES_PER_COLUMN = 8;
/** Most old URLs kept per column (a list with thousands of pages keeps its first ones). */
const MAX_URLS_PER_COLUMN = 500;

interface ColumnInfo {
  key: string;
  /** Candidate names with weights: list-page ColumnName 5, list breadcrumb 4, list <title> 3, detail ColumnName 2, detail breadcrumb 1. */
  names: Map<string, number>;
  urls: string[];
  hasList: boolean;
  hasItems: boolean;
  description: string | null;
  keywords: string | null;
}

let pageModule: Promise<typeof import('./page.ts')> | null = null;
/**
 * The page parser (cheerio) on the first page: cheerio costs ~20 MB of resident memory, which every importing
 * process would otherwise carry whatever its source — a WXR or a dump never parses a page (ADR 0032).
 */
function pageParser(): Promise<typeof import('./page.ts')> {
  pageModule ??= import('./page.ts');
  return pageModule;
}

async function readBytes(file: LegacyStoredFile, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of await file.open()) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
    size += b.length;
    if (size > limit) throw new ImportSourceError('PAGE_TOO_LARGE', `${file.path} is over ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

async function peek(file: LegacyStoredFile, n: number): Promise<Buffer> {
  const stream = await file.open();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of stream) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
      chunks.push(b);
      size += b.length;
      if (size >= n) break;
    }
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').toLowerCase();
  return /^\s*(\ufeff|ï»¿)?\s*</.test(head) && /<(!doctype html|html|head|body)/.test(head);
}

/**
 * The other pages of a list, as its pager names them: TRS `createPageHTML(N, cur, "index", "html")` (pages
 * `index.html`, `index_1.html` … `index_{N-1}.html`), and pager links to list pages of the same directory
 * (DedeCMS `list_1_2.html`). They are old URLs of the column even when the crawl did not keep them.
 */
function pagerUrls(page: ParsedPage, path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const out: string[] = [];
  const trs = /createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*["']([\w-]+)["']\s*,\s*["'](s?html?)["']/.exec(page.html);
  if (trs) {
    const n = Math.min(Number(trs[1]), MAX_URLS_PER_COLUMN);
    for (let i = 0; i < n; i++) out.push(`/${dir}${trs[2]}${i === 0 ? '' : `_${i}`}.${trs[3]}`);
  }
  page.$('a[href]').each((_, a) => {
    const href = page.$(a).attr('href') ?? '';
    if (/^(javascript:|#|mailto:)/i.test(href) || /^[a-z]+:\/\//i.test(href)) return;
    const resolved = resolveLink(href, path);
    if (!resolved.startsWith(`/${dir}`) || resolved.slice(dir.length + 1).includes('/')) return;
    if (urlHint(resolved.slice(1)) === 'list') out.push(resolved.replace(/[?#].*$/, ''));
  });
  return out;
}

const DEDECMS = /dede_pages|DedeCMS|\/plus\/(?:list|view|count|search|stow|recommend)\.php/i;

/**
 * The dynamic URL a DedeCMS article also answered at (legacy-formats.md §3.2: `/plus/view.php?aid=`), from the
 * hit counter every DedeCMS article page calls (`/plus/count.php?view=yes&aid=12`). Old documents cite both.
 */
function dynamicItemUrls(page: ParsedPage): string[] {
  const m = /\/plus\/count\.php\?[^"'<>]*?\baid=(\d+)/i.exec(page.html);
  return m ? [`/plus/view.php?aid=${m[1]}`] : [];
}

/** DedeCMS list pages `list_{tid}_{n}.html` also answered at `/plus/list.php?tid={tid}`. */
function dynamicListUrls(page: ParsedPage, path: string): string[] {
  const m = /(?:^|\/)list_(\d+)_\d+\.html?$/i.exec(path);
  return m && DEDECMS.test(page.html) ? [`/plus/list.php?tid=${m[1]}`] : [];
}

/** Hostname-like or document-root folder names that wrap a whole snapshot (`www.old.gov.cn/`, `wwwroot/`). */
const WRAPPER = /^([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?$|^(wwwroot|htdocs|public_html|html|www|web|site|webroot)$/i;

class StaticSource implements ImportSource {
  readonly system = 'static' as const;
  siteName: string | null = null;
  baseUrl: string | null;
  private readonly location: string;
  private readonly options: OpenOptions;
  /** Open during a `read()` (and from `open()` until the first read); closed when a read ends, so no fd is kept. */
  private current: OpenedFileStore | null;

  constructor(location: string, store: OpenedFileStore, options: OpenOptions) {
    this.location = location;
    this.current = store;
    this.options = options;
    this.baseUrl = options.baseUrls?.[0] ?? null;
  }

  private get store(): OpenedFileStore {
    if (!this.current) throw new Error('static source: the snapshot is not open (read() not running)');
    return this.current;
  }

  /** Yields the same events each time; one read at a time. */
  async *read(): AsyncIterable<ImportEvent> {
    this.current ??= await openFileStore(this.location, { baseUrls: this.options.baseUrls });
    try {
      yield* this.readOpen();
    } finally {
      const store = this.current;
      this.current = null;
      await store?.close();
    }
  }

  /** Pages in the snapshot: HTML by name, and extension-less files whose first bytes are HTML. */
  private async *pages(): AsyncGenerator<{ file: LegacyStoredFile; path: string }> {
    const wrapper = await this.wrapper();
    for await (const file of this.store.list()) {
      if (!isHtmlName(file.path) && !hasNoExtension(file.path)) continue;
      const path = wrapper && file.path.startsWith(`${wrapper}/`) ? file.path.slice(wrapper.length + 1) : file.path;
      yield { file, path };
    }
  }

  private wrapperCache: string | null | undefined;
  private async wrapper(): Promise<string | null> {
    if (this.wrapperCache !== undefined) return this.wrapperCache;
    let top: string | null = null;
    let same = true;
    for await (const f of this.store.list()) {
      const slash = f.path.indexOf('/');
      const t = slash < 0 ? '' : f.path.slice(0, slash);
      if (top === null) top = t;
      else if (t !== top) {
        same = false;
        break;
      }
    }
    this.wrapperCache = same && top && WRAPPER.test(top) ? top : null;
    return this.wrapperCache;
  }

  /** Read, decode and parse one page; null (with events explaining why) when it is not a page. */
  private async load(
    file: LegacyStoredFile,
    path: string,
    seenEncodings: Set<string>,
  ): Promise<{ page: ParsedPage | null; events: ImportEvent[] }> {
    const events: ImportEvent[] = [];
    // An extension-less file is looked at (1 KiB) before it is read whole.
    if (!isHtmlName(path) && !looksLikeHtml(await peek(file, 1024).catch(() => Buffer.alloc(0)))) {
      return { page: null, events };
    }
    let bytes: Buffer;
    try {
      bytes = await readBytes(file, MAX_PAGE_BYTES);
    } catch (err) {
      const code = err instanceof ImportSourceError ? err.code : 'UNREADABLE_PAGE';
      events.push({ type: 'warning', warning: { code, message: (err as Error).message, sourceId: `/${path}` } });
      return { page: null, events };
    }
    const forced = this.options.encoding ? normaliseEncodingName(this.options.encoding) : null;
    const det = forced ? { encoding: forced, how: 'declared' as const } : detectEncoding(bytes, 'html');
    const key = `${det.encoding}/${det.how}`;
    if (!seenEncodings.has(key)) {
      seenEncodings.add(key);
      events.push({ type: 'encoding', encoding: det.encoding, how: det.how, where: `/${path}` });
    }
    const html = decode(bytes, det.encoding);
    return { page: (await pageParser()).parsePage(html, path), events };
  }

  private async *readOpen(): AsyncGenerator<ImportEvent> {
    // Pass 1: classify, gather columns.
    const columns = new Map<string, ColumnInfo>();
    const col = (key: string): ColumnInfo => {
      let c = columns.get(key);
      if (!c) {
        c = { key, names: new Map(), urls: [], hasList: false, hasItems: false, description: null, keywords: null };
        columns.set(key, c);
      }
      return c;
    };
    const vote = (key: string, name: string | null | undefined, weight: number) => {
      const n = name?.replace(/\s+/g, ' ').trim();
      if (!n || n.length > 40) return;
      const c = col(key);
      if (!c.names.has(n) && c.names.size >= MAX_NAMES_PER_COLUMN) return;
      c.names.set(n, (c.names.get(n) ?? 0) + weight);
    };
    const seenEncodings = new Set<string>();
    const early: ImportEvent[] = [];
    let siteName: string | null = null;
    for await (const { file, path } of this.pages()) {
      const { page, events } = await this.load(file, path, seenEncodings);
      early.push(...events.filter((e) => e.type === 'encoding'));
      if (!page) continue;
      siteName ??= page.metas.get('sitename') ?? null;
      const domain = page.metas.get('sitedomain');
      if (!this.baseUrl && domain && /^[a-z0-9.-]+$/i.test(domain)) this.baseUrl = `http://${domain.toLowerCase()}`;
      const chain = columnChain(path);
      const kind = page.signals.kind;
      if (kind === 'list' && chain.length > 0) {
        const key = chain.at(-1)!;
        const c = col(key);
        c.hasList = true;
        for (const u of [...listPageUrls(path), ...pagerUrls(page, path), ...dynamicListUrls(page, path)]) {
          if (c.urls.length < MAX_URLS_PER_COLUMN && !c.urls.includes(u)) c.urls.push(u);
        }
        vote(key, page.metas.get('columnname'), 5);
        vote(key, page.crumbs.at(-1), 4);
        vote(key, page.titleHead, 3);
        c.description ??= page.metas.get('columndescription') ?? null;
        c.keywords ??= page.metas.get('columnkeywords') ?? null;
        this.alignCrumbs(chain.slice(0, -1), page.crumbs.slice(0, -1), vote, 2);
      } else if (kind === 'detail' && chain.length > 0) {
        const key = chain.at(-1)!;
        col(key).hasItems = true;
        vote(key, page.metas.get('columnname'), 2);
        const crumbs = page.crumbs.filter((c) => c !== page.metas.get('articletitle'));
        this.alignCrumbs(chain, crumbs, vote, 1);
      }
    }
    this.siteName = siteName;
    yield* early;
    // What the store refused (unsafe names, links out of the folder, oversize files): listed, never read.
    const refused = new Set<string>();
    for (const r of this.store.rejected) {
      const key = `${r.reason}\u0000${r.name}`;
      if (refused.has(key)) continue;
      refused.add(key);
      yield {
        type: 'warning',
        warning: { code: 'FILE_REFUSED', message: `${r.name}: refused (${r.reason})`, sourceId: r.name },
      };
    }

    // Columns: a directory with a list page or items, or an ancestor that breadcrumbs named. Parents first.
    const isColumn = (c: ColumnInfo | undefined) => !!c && (c.hasList || c.hasItems || c.names.size > 0);
    const columnOf = (key: string | null): string | null => {
      let k = key;
      while (k && !isColumn(columns.get(k))) k = parentKey(k);
      return k;
    };
    const keys = [...columns.keys()].filter((k) => isColumn(columns.get(k)));
    keys.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
    for (const key of keys) {
      const c = columns.get(key)!;
      const best =
        [...c.names.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? slugOf(key);
      const column: LegacyColumn = {
        sourceId: key,
        parentSourceId: columnOf(parentKey(key)),
        name: best,
        slug: slugOf(key),
        description: c.description,
        keywords: c.keywords,
        kind: 'list',
        oldUrls: [...c.urls].sort((a, b) => a.length - b.length || a.localeCompare(b)),
      };
      yield { type: 'column', column };
    }

    // Pass 2: items.
    for await (const { file, path } of this.pages()) {
      const { page, events } = await this.load(file, path, seenEncodings);
      for (const e of events) if (e.type !== 'encoding') yield e;
      if (!page) continue;
      const sourceId = `/${path}`;
      const kind = page.signals.kind;
      if (kind === 'list') {
        yield { type: 'skipped', sourceId, what: 'list page', reason: 'LIST_PAGE', title: page.titleHead };
        continue;
      }
      if (kind === 'home' || kind === 'other') {
        yield {
          type: 'skipped',
          sourceId,
          what: kind === 'home' ? 'home page' : (page.signals.why ?? 'page'),
          reason: 'UNSUPPORTED_TYPE',
          title: page.titleHead,
        };
        continue;
      }
      // A later page of a multi-page article (`123_2.html`) is joined to its first page.
      const cont = articleContinuation(path);
      if (cont && (await this.exactly(cont.first))) continue;
      yield* this.item(page, path, columnOf(columnChain(path).at(-1) ?? null), seenEncodings);
    }
  }

  /** The page at exactly this site path (`find` would also try other roots and cases: not wanted here). */
  private async exactly(path: string): Promise<LegacyStoredFile | null> {
    const want = this.wrapperCache ? `${this.wrapperCache}/${path}` : path;
    return this.store.get(want);
  }

  /** Give breadcrumb names to the column chain, aligned from the deepest level up. */
  private alignCrumbs(
    chain: string[],
    crumbs: string[],
    vote: (key: string, name: string, weight: number) => void,
    weight: number,
  ): void {
    for (let i = 1; i <= Math.min(chain.length, crumbs.length); i++)
      vote(chain[chain.length - i]!, crumbs[crumbs.length - i]!, weight);
  }

  private async *item(
    page: ParsedPage,
    path: string,
    columnKey: string | null,
    seenEncodings: Set<string>,
  ): AsyncGenerator<ImportEvent> {
    const sourceId = `/${path}`;
    let d: Awaited<ReturnType<typeof import('./page.ts').extractDetail>>;
    try {
      d = await (await pageParser()).extractDetail(page, this.siteName);
    } catch (err) {
      yield {
        type: 'warning',
        warning: { code: 'PAGE_EXTRACTION_FAILED', message: `${sourceId}: ${(err as Error).message}`, sourceId },
      };
      yield { type: 'skipped', sourceId, what: 'article', reason: 'UNSUPPORTED_TYPE', title: page.titleHead };
      return;
    }
    const oldUrls = [sourceId, ...dynamicItemUrls(page)];
    let bodyHtml = d.bodyHtml;
    for (const nextPath of continuationPaths(path)) {
      const f = await this.exactly(nextPath);
      if (!f) break;
      const { page: next } = await this.load(f, nextPath, seenEncodings);
      if (next?.signals.kind !== 'detail') break;
      const nd = await (await pageParser()).extractDetail(next, this.siteName);
      bodyHtml += `\n${nd.bodyHtml}`;
      oldUrls.push(`/${nextPath}`);
      for (const a of nd.attachments) if (!d.attachments.some((x) => x.url === a.url)) d.attachments.push(a);
    }
    for (const n of d.notes) yield { type: 'warning', warning: { ...n, sourceId } };
    if (!bodyHtml.replace(/<[^>]*>/g, '').trim() && !/<img/i.test(bodyHtml)) {
      yield { type: 'skipped', sourceId, what: 'article', reason: 'EMPTY', title: d.title };
      return;
    }
    const item: LegacyItem = {
      sourceId,
      kind: d.govMeta?.indexNumber || d.govMeta?.docNumber ? 'document' : columnKey ? 'article' : 'page',
      status: 'published',
      columnSourceIds: columnKey ? [columnKey] : [],
      title: d.title,
      summary: d.summary,
      bodyHtml,
      author: d.author,
      source: d.source,
      keywords: d.keywords,
      publishedAt: d.publishedAt,
      thumbnail: d.thumbnail,
      attachments: d.attachments,
      govMeta: d.govMeta,
      oldUrls,
      extra: { extraction: d.via, ...(d.columnName ? { columnName: d.columnName } : {}) },
    };
    yield { type: 'item', item };
    for (const img of d.images) {
      yield {
        type: 'file',
        file: {
          sourceId: `${sourceId}#${img.url}`,
          url: img.url,
          name: img.name,
          mediaType: img.mediaType,
          itemSourceId: sourceId,
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sniffing: names and first bytes only.

const TRS_NAME = /(^|\/)t\d{8}_\d+\.s?html?$/i;
const HANWEB_NAME = /(^|\/)(art_\d+_\d+\.html?|col\/col\d+\/)/i;

function scoreNames(names: string[], markers: boolean): number {
  if (names.length === 0) return 0;
  const html = names.filter((n) => isHtmlName(n)).length;
  if (html === 0 || html * 2 < names.length) return html > 0 ? 0.2 : 0;
  const trs = names.some((n) => TRS_NAME.test(n) || HANWEB_NAME.test(n));
  return trs || markers ? 0.8 : 0.6;
}

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** File names of the first local headers of a zip held in `head`. */
function zipNamesFromHead(head: Uint8Array): string[] {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const names: string[] = [];
  let at = 0;
  while (at + 30 <= b.length && b.readUInt32LE(at) === 0x04034b50) {
    const nameLen = b.readUInt16LE(at + 26);
    const extraLen = b.readUInt16LE(at + 28);
    const flags = b.readUInt16LE(at + 6);
    const compressed = b.readUInt32LE(at + 18);
    names.push(b.subarray(at + 30, at + 30 + nameLen).toString('latin1'));
    if (flags & 0x08 && compressed === 0) {
      // Sizes in a data descriptor (streamed zips, Windows' own): find the next local header instead.
      const next = b.indexOf(LOCAL_HEADER, at + 30 + nameLen + extraLen);
      if (next < 0) break;
      at = next;
      continue;
    }
    at += 30 + nameLen + extraLen + compressed;
    if (names.length >= 200) break;
  }
  return names;
}

/** Up to `max` file names of a folder, breadth first (a cheap look, not a walk). */
function folderNames(dir: string, max = 300): string[] {
  const out: string[] = [];
  const queue: string[] = [''];
  while (queue.length && out.length < max) {
    const rel = queue.shift()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) queue.push(p);
      else if (e.isFile()) out.push(p);
      if (out.length >= max) break;
    }
  }
  return out;
}

function firstBytes(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const read = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

const CMS_MARKERS = /TRS_Editor|TRS_UEDITOR|ZJEG_RSS|createPageHTML|name="?ArticleTitle|name="?SiteIDCode|<datastore>/i;

export const staticSiteAdapter: SourceAdapter = {
  system: 'static',
  sniff(input: SourceInput): number {
    const first = input.paths[0];
    if (!first) return 0;
    if (input.isDirectory) {
      const names = folderNames(first);
      let markers = false;
      const sample =
        names.find((n) => isHtmlName(n) && !/^index\.s?html?$/i.test(n)) ?? names.find((n) => isHtmlName(n));
      if (sample) {
        try {
          markers = CMS_MARKERS.test(firstBytes(join(first, sample), 16 * 1024).toString('latin1'));
        } catch {
          markers = false;
        }
      }
      return scoreNames(names, markers);
    }
    const head = input.head;
    if (!head || head.length < 4) return 0;
    if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) return 0;
    const markers = CMS_MARKERS.test(Buffer.from(head).toString('latin1'));
    return scoreNames(zipNamesFromHead(head), markers);
  },
  async open(input: SourceInput, options: OpenOptions): Promise<ImportSource> {
    const first = input.paths[0];
    if (!first) throw new ImportSourceError('NO_INPUT', 'No folder or zip given');
    try {
      statSync(first);
    } catch {
      throw new ImportSourceError('FILES_NOT_FOUND', `No such file or folder: ${first}`);
    }
    const store = await openFileStore(first, { baseUrls: options.baseUrls });
    return new StaticSource(first, store, options);
  },
};

/**
 * The one intermediate record every legacy adapter produces (issue 11; shared/notes/legacy-formats.md §1).
 *
 * An adapter knows one legacy format and nothing of the platform: it reads bytes, decodes them, and yields
 * `ImportEvent`s. The import use case in @zhanqun/core stages these events, plans, maps columns, brings files
 * through the media pipeline, writes items and records the old URLs — the same way whatever the source.
 *
 * Contract for adapters:
 * - every `column` event comes before the first `item` event (adapters that read tables out of order — a
 *   mysqldump is alphabetical, `addonarticle` before `arctype` — read the file twice or buffer the small tables);
 * - `sourceId` is stable across runs of the same source (re-runs are idempotent on system + sourceId + hash);
 * - nothing is fetched from the network: files are references into the uploads folder/archive given by the user;
 * - dates are ISO 8601 with an offset; a legacy date without zone is China time (`+08:00`);
 * - bodies are the legacy HTML as found (decoded to UTF-8, page breaks joined); the platform sanitises them;
 * - anything doubtful becomes a `warning` (with the source id) rather than an exception; an exception means
 *   the source cannot be read at all (then throw an `ImportSourceError` with a stable code).
 */

/** Which legacy system the records come from; kept on every imported item as provenance. */
export type SourceSystem = 'wordpress' | 'dedecms' | 'phpcms' | 'static' | 'bundle';

/** Legacy publication state. Only `published` items are imported as content; the rest are skipped with a reason. */
export type LegacyStatus = 'published' | 'draft' | 'pending' | 'private' | 'trash' | 'scheduled';

/** A legacy category / 栏目. */
export interface LegacyColumn {
  sourceId: string;
  /** The parent's sourceId; absent for a top-level column. */
  parentSourceId?: string | null;
  name: string;
  /** A slug/directory name the legacy system used (WordPress slug, DedeCMS typedir leaf, PHPCMS catdir). */
  slug?: string | null;
  description?: string | null;
  keywords?: string | null;
  /** `list` (holds items), `page` (a single page: DedeCMS ispart=1, PHPCMS type=1), `link` (external link). */
  kind?: 'list' | 'page' | 'link';
  /** Sort order as the legacy system had it. */
  position?: number | null;
  /** Every URL the column's list had (first page, `list_2.html`, `?typeid=`, `index.html`…), site-relative or absolute. */
  oldUrls: string[];
}

/** A file referenced by an item: resolved against the uploads folder/archive, never downloaded. */
export interface LegacyFileRef {
  /** The URL or path as written in the legacy content (`/uploads/allimg/120101/1-1.jpg`, `http://old.gov.cn/u/a.pdf`). */
  url: string;
  /** The name shown for download (link text, `title`, the legacy `filename` column). */
  name?: string | null;
  mediaType?: string | null;
  size?: number | null;
}

/** Policy-document metadata (信息公开 / 规范性文件) when the source has it. */
export interface LegacyGovMeta {
  /** 索引号 */
  indexNumber?: string | null;
  /** 文号 / 发文字号 */
  docNumber?: string | null;
  /** 发布机构 */
  issuingBody?: string | null;
  /** 成文日期 (YYYY-MM-DD) */
  writtenAt?: string | null;
  /** 发布日期 / 施行日期 (YYYY-MM-DD) */
  issuedAt?: string | null;
  /** 主题分类 */
  topic?: string | null;
}

/** A legacy article, page or document. */
export interface LegacyItem {
  sourceId: string;
  /** `article` for news/posts, `page` for standalone pages; `document` when govMeta says it is a policy document. */
  kind: 'article' | 'page' | 'document';
  status: LegacyStatus;
  /** The primary column first; further columns are extra placements (WordPress posts in several categories). */
  columnSourceIds: string[];
  title: string;
  subtitle?: string | null;
  summary?: string | null;
  bodyHtml: string;
  author?: string | null;
  /** 来源 (DedeCMS source, PHPCMS copyfrom, meta ContentSource). */
  source?: string | null;
  keywords?: string[];
  tags?: string[];
  /** The legacy publication time (ISO 8601 with offset). Never replaced by "now". */
  publishedAt: string | null;
  updatedAt?: string | null;
  /** A slug the legacy system used (WordPress post_name), for the new URL when it is usable. */
  slug?: string | null;
  thumbnail?: LegacyFileRef | null;
  attachments?: LegacyFileRef[];
  govMeta?: LegacyGovMeta | null;
  /** Every URL the item had: static `.html`, dynamic `?aid=`, paginated `_2.html`, `?p=`, permalinks. */
  oldUrls: string[];
  /** Set when the record was recovered by a lenient parser: the item must be looked at before it is signed. */
  flaggedForReview?: boolean;
  /** Adapter-specific leftovers worth keeping (legacy row fields), small; never the body again. */
  extra?: Record<string, unknown>;
}

/** A file the legacy system knew of (DedeCMS `uploads`, PHPCMS `attachment`, a WordPress attachment post). */
export interface LegacyFile {
  sourceId: string;
  url: string;
  name?: string | null;
  mediaType?: string | null;
  size?: number | null;
  /** The item it was attached to, when the source says so. */
  itemSourceId?: string | null;
  /** Pages the legacy system showed for the file (a WordPress attachment page), redirected to the new file. */
  oldUrls?: string[];
}

/** Why a legacy record is not imported. Stable codes: the plan counts them. */
export type SkipReason =
  | 'DRAFT'
  | 'PENDING'
  | 'PRIVATE'
  | 'TRASH'
  | 'SCHEDULED'
  | 'NAV_MENU'
  | 'REVISION'
  | 'UNSUPPORTED_TYPE'
  | 'EMPTY'
  | 'DUPLICATE'
  | 'LIST_PAGE';

export interface ImportWarning {
  /** Stable, upper snake case: `MALFORMED_XML`, `BAD_DATE`, `TITLE_TRUNCATED`, `UNKNOWN_COLUMN`, `MOJIBAKE_REPAIRED`… */
  code: string;
  message: string;
  sourceId?: string | null;
}

export type ImportEvent =
  | {
      type: 'encoding';
      encoding: string;
      where: string;
      how: 'bom' | 'declared' | 'utf8-valid' | 'gb18030' | 'statistics';
    }
  | { type: 'column'; column: LegacyColumn }
  | { type: 'item'; item: LegacyItem }
  | { type: 'file'; file: LegacyFile }
  | {
      type: 'skipped';
      sourceId: string;
      what: string;
      reason: SkipReason;
      title?: string | null;
      /** URLs the skipped record had (a trashed post's permalink): the redirect map answers them 410 Gone. */
      oldUrls?: string[];
    }
  | { type: 'warning'; warning: ImportWarning };

/** An opened legacy source. `read()` may be called more than once (plan, then commit) and yields the same events. */
export interface ImportSource {
  system: SourceSystem;
  /** Human name of the legacy site when the source says (WXR channel title, DedeCMS cfg_webname). */
  siteName?: string | null;
  /** The legacy site's own base URL when known (`http://www.old.gov.cn`), to tell internal links from external. */
  baseUrl?: string | null;
  read(): AsyncIterable<ImportEvent>;
}

/** A source that cannot be read at all. `code` is stable and listed in docs/errors.md by the importer docs. */
export class ImportSourceError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ImportSourceError';
    this.code = code;
  }
}

/** What the user pointed the importer at: one or more files (several WXR files of one export), or a folder. */
export interface SourceInput {
  paths: string[];
  /** The first 64 KiB of the first file; null for a folder. */
  head: Uint8Array | null;
  isDirectory: boolean;
}

export interface OpenOptions {
  /** The legacy site's base URL(s), to tell its own links from external ones (`http://www.old.gov.cn`). */
  baseUrls?: string[];
  /** Force an encoding instead of detecting it (`gbk`, `utf-8`); detection is the default. */
  encoding?: string;
}

/**
 * One legacy format. `packages/importers/src/sources.ts` lists every adapter; the importer asks each how sure
 * it is that it reads the input and opens it with the surest (the user may also name the system).
 */
export interface SourceAdapter {
  system: SourceSystem;
  /** 0 = not this format, 1 = certain; from names and the first bytes only (cheap). */
  sniff(input: SourceInput): number;
  open(input: SourceInput, options: OpenOptions): Promise<ImportSource>;
}

/** A file found in the uploads folder or archive the user gave (`--files`); never fetched from the network. */
export interface LegacyStoredFile {
  /** Path inside the folder/archive, with `/` separators, as stored (already checked against traversal). */
  path: string;
  size: number;
  open(): Promise<NodeJS.ReadableStream>;
}

/**
 * The uploads folder or archive of a legacy site, looked up by the URL or path legacy content used for a file:
 * absolute on an old host (`http://www.old.gov.cn/uploads/a.pdf`), site-relative (`/uploads/a.pdf`), relative,
 * GBK or UTF-8 percent-encoded. Implemented in `src/files/file-store.ts`.
 */
export interface LegacyFileStore {
  find(urlOrPath: string): Promise<LegacyStoredFile | null>;
  /** Every file, for counts and for files no content refers to. */
  list(): AsyncIterable<LegacyStoredFile>;
  close(): Promise<void>;
}

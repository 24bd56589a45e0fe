/**
 * The legacy file store: the uploads folder or archive a user gives with `--files` (or the snapshot the static
 * adapter reads), looked up by the URLs legacy content used. Issue 11: "Files come from the given uploads folder
 * or archive … (never fetched from the internet) … Archives are extracted safely (no path traversal, size and
 * count limits)."
 *
 * A zip is read in place with `yauzl` (random access through the central directory; nothing is extracted to
 * disk, one entry is inflated only when it is opened). See docs/adr/0018-static-site-import.md.
 *
 * Safety, for zips:
 *   - names are decoded (UTF-8 when flagged or valid, else GB18030: Chinese Windows writes CP936 names without
 *     the UTF-8 flag), then refused when absolute, with a drive letter, with `..` segments or control characters;
 *   - the entry count and the declared total are checked before anything is read (`ARCHIVE_TOO_MANY_ENTRIES`,
 *     `ARCHIVE_TOO_LARGE`); an entry declaring more than the per-entry limit is refused (listed in `rejected`);
 *   - the bytes actually inflated are counted while streaming: more than the entry declared, or than the limit,
 *     fails the stream (`ARCHIVE_ENTRY_TOO_LARGE`) — a zip bomb that lies about its sizes stops there.
 * For folders: a symlink (file or directory) whose target lies outside the root is refused, and nothing is
 * ever joined to the root that has not passed through the `..`-free candidates of `paths.ts`.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { lstat, opendir, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { ImportSourceError, type LegacyFileStore, type LegacyStoredFile } from '../record.ts';
import { isValidUtf8 } from '../text/encoding.ts';
import { lookupCandidates, safeEntryPath, type UnsafeReason } from './paths.ts';

export interface FileStoreLimits {
  /** Most entries an archive may hold (central directory count). */
  maxEntries: number;
  /** Largest single file, declared and actually inflated, in bytes. */
  maxEntrySize: number;
  /** Largest sum of declared uncompressed sizes of an archive, in bytes. */
  maxTotalSize: number;
}

export const DEFAULT_FILE_STORE_LIMITS: FileStoreLimits = {
  maxEntries: 500_000,
  maxEntrySize: 1024 * 1024 * 1024,
  maxTotalSize: 50 * 1024 * 1024 * 1024,
};

export interface FileStoreOptions {
  /** The legacy site's base URLs (`http://www.old.gov.cn`), stripped from absolute URLs before lookup. */
  baseUrls?: string[];
  limits?: Partial<FileStoreLimits>;
}

export type RejectReason = UnsafeReason | 'TOO_LARGE' | 'ENCRYPTED' | 'UNSUPPORTED_COMPRESSION' | 'LINK_OUTSIDE';

/** An entry the store refused; the import plan lists these. */
export interface RejectedEntry {
  name: string;
  reason: RejectReason;
}

export interface OpenedFileStore extends LegacyFileStore {
  kind: 'folder' | 'zip';
  /** Entries refused as unsafe or too large (zips: at open; folders: as met while listing). */
  readonly rejected: RejectedEntry[];
  /** How many archive names were decoded as GB18030 (no UTF-8 flag, not valid UTF-8). 0 for folders. */
  readonly gbkNames: number;
  /** The file at exactly this relative path (`a/b.html`): no URL handling, no other roots, no case folding. */
  get(path: string): Promise<LegacyStoredFile | null>;
}

/** Open a folder or a `.zip` (by its magic bytes, not only its name). Throws `ImportSourceError` when unreadable. */
export async function openFileStore(pathOrZip: string, options: FileStoreOptions = {}): Promise<OpenedFileStore> {
  const limits = { ...DEFAULT_FILE_STORE_LIMITS, ...options.limits };
  const baseUrls = options.baseUrls ?? [];
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(pathOrZip);
  } catch {
    throw new ImportSourceError('FILES_NOT_FOUND', `No such file or folder: ${pathOrZip}`);
  }
  if (st.isDirectory()) return openFolderStore(pathOrZip, baseUrls, limits);
  if (st.isFile()) return openZipStore(pathOrZip, baseUrls, limits);
  throw new ImportSourceError('FILES_NOT_FOUND', `Not a file or folder: ${pathOrZip}`);
}

// ---------------------------------------------------------------------------------------------------------------
// zip

/** Info-ZIP Unicode Path extra field: its presence means yauzl's own decoding is right. */
const UNICODE_PATH_EXTRA = 0x7075;
const UTF8_FLAG = 0x800;

/** Decode an entry name: UTF-8 when flagged (or an Info-ZIP Unicode Path is present) or valid; else GB18030. */
export function decodeZipName(entry: Pick<yauzl.Entry, 'generalPurposeBitFlag' | 'extraFields'> & { raw: Buffer }): {
  name: string;
  gbk: boolean;
} {
  if (entry.generalPurposeBitFlag & UTF8_FLAG || entry.extraFields.some((f) => f.id === UNICODE_PATH_EXTRA)) {
    // strictFileNames=true keeps backslashes as they are: safeEntryPath decides about them after decoding.
    return {
      name: yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.raw, entry.extraFields, true),
      gbk: false,
    };
  }
  if (isValidUtf8(entry.raw)) return { name: entry.raw.toString('utf8'), gbk: false };
  // CP437 is what the spec says, but no Chinese government site's zip was ever made on a CP437 system.
  return { name: iconv.decode(entry.raw, 'gb18030'), gbk: true };
}

/** Counts inflated bytes and fails past `limit` (the declared size or the per-entry limit, whichever is smaller). */
class ByteLimit extends Transform {
  private seen = 0;
  private readonly limit: number;
  private readonly declared: number;
  private readonly label: string;
  constructor(limit: number, declared: number, label: string) {
    super();
    this.limit = limit;
    this.declared = declared;
    this.label = label;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      done(
        new ImportSourceError(
          'ARCHIVE_ENTRY_TOO_LARGE',
          `${this.label}: more than ${this.limit} bytes inflated (declared ${this.declared}); refused as a zip bomb`,
        ),
      );
      return;
    }
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.seen !== this.declared) {
      done(
        new ImportSourceError(
          'ARCHIVE_ENTRY_SIZE_MISMATCH',
          `${this.label}: ${this.seen} bytes inflated, ${this.declared} declared`,
        ),
      );
      return;
    }
    done();
  }
}

interface ZipIndexed {
  path: string;
  entry: yauzl.Entry;
}

async function openZipStore(file: string, baseUrls: string[], limits: FileStoreLimits): Promise<OpenedFileStore> {
  let zip: yauzl.ZipFile;
  try {
    // validateEntrySizes off: sizes are enforced by ByteLimit below, with our own error codes and limits.
    zip = await yauzl.openPromise(file, { autoClose: false, decodeStrings: false, validateEntrySizes: false });
  } catch (err) {
    throw new ImportSourceError('ARCHIVE_INVALID', `Not a readable zip archive: ${file} (${(err as Error).message})`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ImportSourceError(
      'ARCHIVE_TOO_MANY_ENTRIES',
      `${file} holds ${zip.entryCount} entries; the limit is ${limits.maxEntries}`,
    );
  }
  const byPath = new Map<string, ZipIndexed>();
  const byLower = new Map<string, string>();
  const rejected: RejectedEntry[] = [];
  let gbkNames = 0;
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const { name, gbk } = decodeZipName({
        generalPurposeBitFlag: entry.generalPurposeBitFlag,
        extraFields: entry.extraFields,
        raw: entry.fileName as unknown as Buffer, // decodeStrings: false → a Buffer
      });
      if (gbk) gbkNames++;
      if (/[\\/]$/.test(name)) continue; // a directory
      const checked = safeEntryPath(name);
      if ('unsafe' in checked) {
        rejected.push({ name, reason: checked.unsafe });
        continue;
      }
      // Symlinks stored in zips (Unix mode 0120000 in the high external attributes) are never followed.
      if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000) {
        rejected.push({ name, reason: 'LINK_OUTSIDE' });
        continue;
      }
      if (entry.isEncrypted()) {
        rejected.push({ name, reason: 'ENCRYPTED' });
        continue;
      }
      if (!entry.canDecodeFileData()) {
        rejected.push({ name, reason: 'UNSUPPORTED_COMPRESSION' });
        continue;
      }
      if (entry.uncompressedSize > limits.maxEntrySize) {
        rejected.push({ name, reason: 'TOO_LARGE' });
        continue;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalSize) {
        throw new ImportSourceError(
          'ARCHIVE_TOO_LARGE',
          `${file} declares more than ${limits.maxTotalSize} bytes uncompressed; refused`,
        );
      }
      byPath.set(checked.path, { path: checked.path, entry });
      const lower = checked.path.toLowerCase();
      if (!byLower.has(lower)) byLower.set(lower, checked.path);
    }
  } catch (err) {
    zip.close();
    if (err instanceof ImportSourceError) throw err;
    throw new ImportSourceError(
      'ARCHIVE_INVALID',
      `Cannot read the zip directory of ${file}: ${(err as Error).message}`,
    );
  }

  const wrappers = singleTopFolder(byPath.keys());
  const stored = (x: ZipIndexed): LegacyStoredFile => ({
    path: x.path,
    size: x.entry.uncompressedSize,
    open: async () => {
      const raw = await zip.openReadStreamPromise(x.entry);
      const limit = Math.min(x.entry.uncompressedSize, limits.maxEntrySize);
      const guard = new ByteLimit(limit, x.entry.uncompressedSize, x.path);
      raw.on('error', (e) => guard.destroy(e));
      guard.on('close', () => raw.destroy());
      return raw.pipe(guard);
    },
  });

  return {
    kind: 'zip',
    rejected,
    gbkNames,
    async find(urlOrPath) {
      const candidates = lookupCandidates(urlOrPath, baseUrls, wrappers);
      for (const c of candidates) {
        const hit = byPath.get(c);
        if (hit) return stored(hit);
      }
      for (const c of candidates) {
        const p = byLower.get(c.toLowerCase());
        if (p) return stored(byPath.get(p)!);
      }
      return null;
    },
    async get(path) {
      const checked = safeEntryPath(path);
      const hit = 'path' in checked ? byPath.get(checked.path) : undefined;
      return hit ? stored(hit) : null;
    },
    async *list() {
      for (const x of byPath.values()) yield stored(x);
    },
    async close() {
      if (zip.isOpen) zip.close();
    },
  };
}

/** When every path sits under one top folder (`site-backup/...`), that folder, to try as a prefix. */
function singleTopFolder(paths: Iterable<string>): string[] {
  let top: string | null = null;
  for (const p of paths) {
    const slash = p.indexOf('/');
    if (slash < 0) return [];
    const t = p.slice(0, slash);
    if (top === null) top = t;
    else if (t !== top) return [];
  }
  return top ? [top] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// folder

async function openFolderStore(dir: string, baseUrls: string[], limits: FileStoreLimits): Promise<OpenedFileStore> {
  const root = await realpath(dir);
  const rejected: RejectedEntry[] = [];
  const inside = (real: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
  const toRel = (abs: string) => relative(root, abs).split(sep).join('/');

  // A wrapper folder (the only thing at the root is one folder) is tried as a prefix, as for zips.
  const top = (await readdir(root, { withFileTypes: true })).filter((d) => !d.name.startsWith('.'));
  const wrappers = top.length === 1 && top[0]!.isDirectory() ? [top[0]!.name] : [];

  /** The file at a relative, `..`-free path, if it is a regular file whose real location is inside the root. */
  async function fileAt(rel: string): Promise<LegacyStoredFile | null> {
    const abs = join(root, ...rel.split('/'));
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      return null;
    }
    if (!inside(real)) {
      rejected.push({ name: rel, reason: 'LINK_OUTSIDE' });
      return null;
    }
    const s = await stat(real).catch(() => null);
    if (!s?.isFile()) return null;
    if (s.size > limits.maxEntrySize) {
      rejected.push({ name: rel, reason: 'TOO_LARGE' });
      return null;
    }
    return { path: rel, size: s.size, open: async () => createReadStream(real) };
  }

  // Names in a folder, read once (the uploads do not change during an import). A legacy export refers to many files
  // that are not there (a DedeCMS dump of 20,000 articles: ~30,000 missing references, each tried under several
  // candidate paths): a miss is answered from these listings instead of a failed realpath per candidate (issue 11).
  const listings = new Map<string, { names: string[]; exact: Set<string> }>();
  async function listing(at: string) {
    let l = listings.get(at);
    if (!l) {
      const names = await readdir(at ? join(root, ...at.split('/')) : root).catch(() => [] as string[]);
      if (listings.size > 1000) listings.clear();
      l = { names, exact: new Set(names) };
      listings.set(at, l);
    }
    return l;
  }
  /**
   * The path as listed, segment by segment: exactly, or case-insensitively as a fallback (sites hosted on Windows
   * linked `/UpLoad/A.JPG` to `upload/a.jpg`); null when some segment is not there.
   */
  async function listedPath(rel: string, anyCase: boolean): Promise<string | null> {
    let at = '';
    for (const seg of rel.split('/')) {
      const l = await listing(at);
      let found: string | undefined = l.exact.has(seg) ? seg : undefined;
      if (!found && anyCase) {
        const want = seg.toLowerCase();
        found = l.names.find((n) => n.toLowerCase() === want);
      }
      if (!found) return null;
      at = at ? `${at}/${found}` : found;
    }
    return at;
  }

  async function* walk(abs: string): AsyncGenerator<LegacyStoredFile> {
    const handle = await opendir(abs);
    for await (const d of handle as AsyncIterable<Dirent>) {
      const child = join(abs, d.name);
      if (d.isDirectory()) {
        yield* walk(child);
      } else if (d.isFile()) {
        const s = await lstat(child);
        if (s.size > limits.maxEntrySize) {
          rejected.push({ name: toRel(child), reason: 'TOO_LARGE' });
          continue;
        }
        yield { path: toRel(child), size: s.size, open: async () => createReadStream(child) };
      } else if (d.isSymbolicLink()) {
        const real = await realpath(child).catch(() => null);
        if (!real) continue;
        if (!inside(real)) {
          rejected.push({ name: toRel(child), reason: 'LINK_OUTSIDE' });
          continue;
        }
        // A link inside the root is listed under its own name when it is a file; linked folders are not walked
        // (they would be met at their real place, and loops are impossible this way).
        const f = await fileAt(toRel(child));
        if (f) yield f;
      }
    }
  }

  return {
    kind: 'folder',
    rejected,
    gbkNames: 0,
    async find(urlOrPath) {
      const candidates = lookupCandidates(urlOrPath, baseUrls, wrappers);
      // Exact names first (every candidate), then any case; the file system is asked only about listed paths.
      for (const c of candidates) {
        if (!(await listedPath(c, false))) continue;
        const f = await fileAt(c);
        if (f) return f;
      }
      for (const c of candidates) {
        const p = await listedPath(c, true);
        if (p && p !== c) {
          const f = await fileAt(p);
          if (f) return f;
        }
      }
      return null;
    },
    async get(path) {
      const checked = safeEntryPath(path);
      return 'path' in checked ? fileAt(checked.path) : null;
    },
    list: () => walk(root),
    async close() {
      listings.clear();
    },
  };
}

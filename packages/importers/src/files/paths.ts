/**
 * Path hygiene for the legacy file store (issue 11: "Archives are extracted safely (no path traversal, size and
 * count limits)"). Two jobs:
 *   - `safeEntryPath` decides whether a name found in an archive (or a folder) may be used at all;
 *   - `lookupCandidates` turns the URL a legacy page used for a file into the relative paths to try in the store.
 * Neither touches the file system; both only ever produce relative, `..`-free, `/`-separated paths.
 */
import iconv from 'iconv-lite';
import { isPlausibleGbk, isValidUtf8 } from '../text/encoding.ts';

export type UnsafeReason = 'ABSOLUTE' | 'DRIVE_LETTER' | 'TRAVERSAL' | 'CONTROL_CHARACTER' | 'EMPTY';

/** Any C0 control character (NUL, newline…): never part of a legitimate file name. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/**
 * Normalise an archive entry name to `a/b/c.ext`, or say why it is refused. Backslashes are separators written by
 * old Windows zip tools: they are turned into `/` *before* the checks, so `..\evil` is refused like `../evil`.
 * Names are decoded to text before this runs (a GBK trail byte may be 0x5C, which is not a backslash).
 */
export function safeEntryPath(name: string): { path: string } | { unsafe: UnsafeReason } {
  if (hasControl(name)) return { unsafe: 'CONTROL_CHARACTER' };
  const slashed = name.replace(/\\/g, '/');
  if (/^[a-zA-Z]:/.test(slashed)) return { unsafe: 'DRIVE_LETTER' };
  if (slashed.startsWith('/')) return { unsafe: 'ABSOLUTE' };
  const parts: string[] = [];
  for (const seg of slashed.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return { unsafe: 'TRAVERSAL' };
    parts.push(seg);
  }
  if (parts.length === 0) return { unsafe: 'EMPTY' };
  return { path: parts.join('/') };
}

/**
 * Every plausible reading of a percent-encoded legacy path: UTF-8 first, then GBK. Both are kept when both decode,
 * because many GBK pairs are also valid UTF-8 (`%CD%A8%D6%AA` is 通知 in GBK and "֪ͨ" in UTF-8), so a
 * strict UTF-8 decode succeeding proves nothing; the store tries each reading.
 */
export function decodePercentVariants(s: string): string[] {
  if (!/%[0-9a-f]{2}/i.test(s)) return [s];
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  const buf = Buffer.from(bytes);
  const out: string[] = [];
  if (isValidUtf8(buf)) out.push(buf.toString('utf8'));
  if (isPlausibleGbk(buf)) {
    const g = iconv.decode(buf, 'gb18030');
    if (!g.includes('\ufffd') && !out.includes(g)) out.push(g);
  }
  if (out.length === 0) out.push(s);
  return out;
}

/** Split a path into clamped segments: `..` pops (never above the root), `.` and empty segments vanish. */
function clampSegments(path: string): string[] {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      segments.pop(); // URL semantics: `/../a` is `/a`
      continue;
    }
    if (hasControl(seg)) continue;
    segments.push(seg);
  }
  return segments;
}

export interface ParsedLegacyUrl {
  /** Host of an absolute URL (`www.old.gov.cn`), lower case; null for site-relative and relative references. */
  host: string | null;
  /** Decoded path segments, clamped at the root (a leading `..` cannot climb above it); one list per reading. */
  readings: string[][];
  /** Decoded values of query parameters that look like file names (`downfile.jsp?filename=P0201.doc`). */
  queryFileNames: string[];
}

const FILE_LIKE = /\.[a-z0-9]{1,5}$/i;

function stripBase(url: string, baseUrls: readonly string[]): string {
  const lower = url.toLowerCase();
  for (const base of baseUrls) {
    const b = base.replace(/\/+$/, '').toLowerCase();
    if (b && (lower === b || lower.startsWith(`${b}/`))) return url.slice(b.length) || '/';
  }
  return url;
}

/** Split a legacy URL or path into host, decoded clamped segments and file-like query values. */
export function parseLegacyUrl(urlOrPath: string, baseUrls: readonly string[] = []): ParsedLegacyUrl {
  let s = urlOrPath.trim().replace(/\\/g, '/');
  s = stripBase(s, baseUrls);
  let host: string | null = null;
  const abs = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)/i.exec(s);
  if (abs) {
    host =
      (abs[1] ?? '')
        .replace(/^[^@]*@/, '')
        .replace(/:\d+$/, '')
        .toLowerCase() || null;
    s = s.slice(abs[0].length) || '/';
  }
  const hashAt = s.indexOf('#');
  if (hashAt >= 0) s = s.slice(0, hashAt);
  let query = '';
  const qAt = s.indexOf('?');
  if (qAt >= 0) {
    query = s.slice(qAt + 1);
    s = s.slice(0, qAt);
  }
  const readings = decodePercentVariants(s).map(clampSegments);
  const queryFileNames: string[] = [];
  if (query) {
    for (const pair of query.split('&')) {
      const value = pair.slice(pair.indexOf('=') + 1);
      if (!value) continue;
      for (const v of decodePercentVariants(value.replace(/\+/g, ' '))) if (FILE_LIKE.test(v)) queryFileNames.push(v);
    }
  }
  return { host, readings, queryFileNames };
}

/** How many leading directories may be dropped to match a store whose root is deeper than the site's root. */
const MAX_DROPPED_ROOTS = 3;

/**
 * The relative paths to try for a legacy URL, best first:
 *   1. the path as is (`uploads/2020/a.pdf`; each percent-decoding reading, UTF-8 then GBK), then under the store's wrapper folder or the URL's host folder
 *      (a zip of `site/` or a wget mirror's `www.old.gov.cn/`);
 *   2. with leading directories removed (the store *is* `uploads/`: `2020/a.pdf`), at most three, never to nothing;
 *   3. file names carried in the query string (Hanweb `downfile.jsp?filename=…`), as paths of their own.
 * Every candidate is `..`-free and relative, so joining it to the root cannot leave the root.
 */
export function lookupCandidates(
  urlOrPath: string,
  baseUrls: readonly string[] = [],
  wrapperPrefixes: readonly string[] = [],
): string[] {
  const { host, readings, queryFileNames } = parseLegacyUrl(urlOrPath, baseUrls);
  const out: string[] = [];
  const add = (parts: string[]) => {
    if (parts.length === 0) return;
    const checked = safeEntryPath(parts.join('/'));
    if ('path' in checked && !out.includes(checked.path)) out.push(checked.path);
  };
  const prefixes: string[][] = [[]];
  for (const p of wrapperPrefixes) if (p) prefixes.push(p.split('/'));
  if (host) prefixes.push([host]);
  const longest = Math.max(0, ...readings.map((r) => r.length));
  for (let drop = 0; drop <= Math.min(MAX_DROPPED_ROOTS, longest - 1); drop++) {
    for (const segments of readings) {
      if (drop > segments.length - 1) continue;
      const rest = segments.slice(drop);
      for (const prefix of prefixes) add([...prefix, ...rest]);
    }
  }
  for (const q of queryFileNames) {
    const qs = q.split(/[\\/]+/).filter((x) => x && x !== '.' && x !== '..');
    for (let drop = 0; drop <= Math.min(MAX_DROPPED_ROOTS, qs.length - 1); drop++) add(qs.slice(drop));
  }
  return out;
}

/**
 * What the path of a published page says (legacy-formats.md §8.2): list or detail by the generators' naming
 * rules, which column directory it belongs to, and how relative links in it resolve.
 */

export type UrlHint = 'detail' | 'list' | 'home' | 'other' | null;

const HTML_EXT = /\.(s?html?|xhtml|shtm)$/i;

/** Is this a page by its name (`.html`, `.htm`, `.shtml`…)? Extension-less files are checked by content. */
export function isHtmlName(path: string): boolean {
  return HTML_EXT.test(path);
}

export function hasNoExtension(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return !base.includes('.');
}

/** The generators' naming rules (§6.2, §7, §8.2). */
export function urlHint(path: string): UrlHint {
  const p = `/${path}`;
  const base = p.slice(p.lastIndexOf('/') + 1).toLowerCase();
  if (/^\/(index|default|main)\.(s?html?|shtm)$/i.test(p)) return 'home';
  if (/(^|[_-])(search|sousuo|404|error)([_.-]|$)/i.test(base)) return 'other';
  // Detail rules
  if (/^t\d{8}_\d+\.(s?html?)$/.test(base)) return 'detail'; // TRS
  if (/^art_\d+_\d+\.html?$/.test(base)) return 'detail'; // Hanweb
  if (/\/\d{4}\/\d{4}\/\d+(_\d+)?\.html?$/.test(p)) return 'detail'; // DedeCMS {Y}/{MD}/{aid}.html
  if (/^(content|post|show)[_-]\d+([_-]\d+)*\.s?html?$/.test(base)) return 'detail'; // gov.cn, Guangdong, PHPCMS
  // List rules
  if (/^(index|list|default|more)([_-]\d+)*\.(s?html?|shtm)$/.test(base)) return 'list';
  if (/\/col\/col\d+\//.test(p)) return 'list'; // Hanweb column page
  return null;
}

/** Directory names that are dates or numbers, not columns (`202103`, `2019`, `0305`). */
const DATE_DIR = /^(\d{4}|\d{6}|\d{8}|\d{1,2})$/;

/**
 * The column a page belongs to, as a chain of keys root-first (`zwgk`, `zwgk/tzgg`). Date directories are
 * dropped; Hanweb pages (`/art/Y/M/D/art_{col}_{id}.html`, `/col/col{col}/`) belong to the synthetic column
 * `col/col{col}`, whose hierarchy the URL does not tell.
 */
export function columnChain(path: string): string[] {
  const hanwebArt = /(?:^|\/)art\/\d{4}\/\d{1,2}\/\d{1,2}\/art_(\d+)_\d+\.html?$/i.exec(path);
  if (hanwebArt) return [`col/col${hanwebArt[1]}`];
  const hanwebCol = /(?:^|\/)col\/col(\d+)\//i.exec(path);
  if (hanwebCol) return [`col/col${hanwebCol[1]}`];
  const base = path.slice(path.lastIndexOf('/') + 1);
  // PHPCMS pseudo-static pages at the root: list-{catid}-{page}.html, show-{catid}-{id}-{page}.html
  const v9 = /^(?:list|show|content)-(\d+)-/.exec(base);
  if (v9 && !path.includes('/')) return [`category-${v9[1]}`];
  const dirs = path.split('/').slice(0, -1);
  const chain: string[] = [];
  const kept: string[] = [];
  for (const d of dirs) {
    if (DATE_DIR.test(d)) continue;
    kept.push(d);
    chain.push(kept.join('/'));
  }
  return chain;
}

/** The parent key of a column key, following `columnChain`'s rules. */
export function parentKey(key: string): string | null {
  if (/^col\/col\d+$/.test(key) || /^category-\d+$/.test(key)) return null;
  const at = key.lastIndexOf('/');
  return at < 0 ? null : key.slice(0, at);
}

/** The directory name a column had (its slug); Hanweb columns are `col{id}`. */
export function slugOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** The URLs a list page answers at: itself, and its directory for an index page. */
export function listPageUrls(path: string): string[] {
  const urls = [`/${path}`];
  if (/(^|\/)(index|default)\.(s?html?|shtm)$/i.test(path)) urls.push(`/${path.slice(0, path.lastIndexOf('/') + 1)}`);
  return urls;
}

/** TRS numbers a document's later pages from 1 (`t20210305_123_1.html` is page 2); other generators from 2. */
const TRS_DOC = /^t\d{8}_\d+$/;

/** A multi-page article's later page (`123_2.html`, TRS `t20210305_123_1.html`): the first page's path. */
export function articleContinuation(path: string): { first: string; page: number } | null {
  const m = /^(.*\/)?([^/]+)_(\d{1,3})\.(s?html?)$/i.exec(path);
  if (!m) return null;
  const n = Number(m[3]);
  if (n < (TRS_DOC.test(m[2]!) ? 1 : 2)) return null;
  return { first: `${m[1] ?? ''}${m[2]}.${m[4]}`, page: n };
}

/** The paths a multi-page article's later pages would have, in order (the caller stops at the first missing). */
export function* continuationPaths(path: string): Generator<string> {
  const m = /^(.*\/)?([^/]+)\.(s?html?)$/i.exec(path);
  if (!m) return;
  const from = TRS_DOC.test(m[2]!) ? 1 : 2;
  for (let n = from; n < from + 200; n++) yield `${m[1] ?? ''}${m[2]}_${n}.${m[3]}`;
}

const KEEP_AS_IS = /^([a-z][a-z0-9+.-]*:|\/\/|\/|#)/i;

/**
 * Resolve a link written in a page to a site-relative path (`./P0202103.pdf` in `zwgk/202103/t…html` →
 * `/zwgk/202103/P0202103.pdf`). Absolute URLs, root-relative paths, anchors and `javascript:` are left as written;
 * percent-encodings (GBK or UTF-8) are kept byte for byte.
 */
export function resolveLink(href: string, pagePath: string): string {
  const h = href.trim();
  if (!h || KEEP_AS_IS.test(h)) return h;
  const q = h.search(/[?#]/);
  const pathPart = q < 0 ? h : h.slice(0, q);
  const rest = q < 0 ? '' : h.slice(q);
  const stack = pagePath.split('/').slice(0, -1);
  for (const seg of pathPart.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') stack.pop();
    else stack.push(seg);
  }
  const trailing = pathPart.endsWith('/') && stack.length > 0 ? '/' : '';
  return `/${stack.join('/')}${trailing}${rest}`;
}

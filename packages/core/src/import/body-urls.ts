/**
 * The URLs of a legacy body (issue 11): found when the batch's records are read, rewritten to the new media and item
 * paths on the HTML pool's thread (import-bodies.ts). Pure, and free of imports: the pool's worker loads it.
 */

/** Every `src`/`href` value of a body, with its position, for rewriting. */
const ATTR = /\b(src|href)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

/** A link to a file rather than a page, by its path's extension. */
const FILE_PATH = /\.(pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|jpe?g|png|gif|webp|txt|ofd)$/;

/**
 * What a body refers to, in one pass: every `src`/`href` value as written (distinct, in order), and of those the
 * files — images, and links whose path looks like a file (not a page).
 */
export function bodyLinks(html: string): { urls: string[]; files: string[] } {
  const urls = new Set<string>();
  const files = new Set<string>();
  for (const m of html.matchAll(ATTR)) {
    const url = m[3] ?? m[4] ?? m[5] ?? '';
    if (!url) continue;
    urls.add(url);
    const path = url.split(/[?#]/)[0]!.toLowerCase();
    if (m[1]!.toLowerCase() === 'src' || FILE_PATH.test(path)) files.add(url);
  }
  return { urls: [...urls], files: [...files] };
}

/** Rewrites the body's `src`/`href` values through `map` (values it has no entry for are left as they are). */
export function rewriteBodyUrls(html: string, map: ReadonlyMap<string, string>): string {
  if (!map.size) return html;
  return html.replace(ATTR, (all, attr: string, _q, d?: string, s?: string, b?: string) => {
    const to = map.get(d ?? s ?? b ?? '');
    return to ? `${attr}="${to}"` : all;
  });
}

/**
 * The URL scheme of every site (docs/adr/0014-delivery-for-themes.md), pure and shared by routing, sitemaps, feeds and
 * page metadata:
 *
 *   /                                  home
 *   /<column path>/                    a column page, e.g. /zwgk/tzgg/ (always with the trailing slash)
 *   /<column path>/<slug>.html         an item, under its home column
 *   /<locale>/…                        the same for a declared locale other than the site's first
 *
 * Trailing-slash rules: a column without its slash, `index.html`/`index.htm` and an item with a slash answer
 * 301 to the one canonical form (2015 §5: clean URLs that search engines index once).
 */

export type ParsedPath =
  | { kind: 'home'; locale: string | null }
  | { kind: 'column'; locale: string | null; columnPath: string }
  | { kind: 'item'; locale: string | null; columnPath: string; slug: string }
  | { kind: 'canonicalise'; location: string };

const SEGMENT = /^[a-z0-9][a-z0-9-]{0,47}$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The path without its query string, or null when it cannot be one of ours (encoded junk, dot segments). */
export function cleanPath(raw: string): string | null {
  const path = raw.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/') || path.length > 1000) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  return decoded;
}

/** Parses a request path against the scheme; `locales` are the site's declared locales, the first is default. */
export function parsePath(path: string, locales: readonly string[]): ParsedPath | null {
  const segments = path.split('/').slice(1);
  let locale: string | null = null;
  const prefix = segments[0] ?? '';
  if (locales.slice(1).includes(prefix)) {
    locale = prefix;
    segments.shift();
    if (segments.length === 0) return { kind: 'canonicalise', location: `/${locale}/` };
  }
  const base = locale ? `/${locale}` : '';
  const last = segments.at(-1) ?? '';
  const dirs = segments.slice(0, -1);
  // "/a/b/" → dirs [a, b], last ''; "/a/b" → dirs [a], last 'b'; "/" → dirs [], last ''.
  if (dirs.some((d) => d === '')) return null; // empty segments: //a
  if (last === '' || last === 'index.html' || last === 'index.htm') {
    if (!dirs.every((d) => SEGMENT.test(d))) return null;
    if (last !== '') return { kind: 'canonicalise', location: `${base}/${dirs.map((d) => `${d}/`).join('')}` };
    return dirs.length === 0 ? { kind: 'home', locale } : { kind: 'column', locale, columnPath: `/${dirs.join('/')}` };
  }
  if (last.endsWith('.html') || last.endsWith('.htm')) {
    const slug = last.replace(/\.html?$/, '');
    if (!SLUG.test(slug) || dirs.length === 0 || !dirs.every((d) => SEGMENT.test(d))) return null;
    if (last.endsWith('.htm')) return { kind: 'canonicalise', location: `${base}/${dirs.join('/')}/${slug}.html` };
    return { kind: 'item', locale, columnPath: `/${dirs.join('/')}`, slug };
  }
  if (SEGMENT.test(last) && dirs.every((d) => SEGMENT.test(d))) {
    // A column without its trailing slash.
    return { kind: 'canonicalise', location: `${base}/${[...dirs, last].join('/')}/` };
  }
  return null;
}

const localePrefix = (locale: string | null | undefined, locales: readonly string[]) =>
  locale && locale !== locales[0] && locales.includes(locale) ? `/${locale}` : '';

export function columnUrlPath(columnPath: string, locale?: string | null, locales: readonly string[] = []): string {
  return `${localePrefix(locale, locales)}${columnPath}/`;
}

export function itemUrlPath(
  columnPath: string,
  slug: string,
  locale?: string | null,
  locales: readonly string[] = [],
): string {
  return `${localePrefix(locale, locales)}${columnPath}/${slug}.html`;
}

export function homeUrlPath(locale?: string | null, locales: readonly string[] = []): string {
  return `${localePrefix(locale, locales)}/`;
}

/** Every prefix of a path that a column redirect could cover, longest first: /a/b/c.html → /a/b/c.html, /a/b, /a. */
export function redirectCandidates(path: string): string[] {
  const out = [path];
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed !== path && trimmed) out.push(trimmed);
  const segments = trimmed.split('/').slice(1);
  for (let n = segments.length - 1; n >= 1; n--) out.push(`/${segments.slice(0, n).join('/')}`);
  return [...new Set(out)];
}

/** The absolute URL on a host: the scheme is https (government sites are served over TLS). */
export function absoluteUrl(host: string, path: string, scheme = 'https'): string {
  return `${scheme}://${host}${path}`;
}

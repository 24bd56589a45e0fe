/**
 * The heavy HTML work on an item body: bounds, URL schemes, sanitising, plain text and missing alt text.
 * Pure and self-contained (only HTML libraries), so that a worker thread can run it off the event loop
 * (`HtmlWorkPort`, ADR 0010) and tests or the CLI can run it inline.
 */
import { findAll, textContent } from 'domutils';
import { decodeHTML } from 'entities';
import { Parser, parseDocument } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';

/**
 * Deeper nesting than this is refused before anything recursive runs over the tree: a body of 4,000 nested
 * `<div>` overflowed the stack (issue 7). Real articles nest tables in lists in divs, a dozen levels at most.
 */
export const MAX_BODY_DEPTH = 100;

/** Schemes a link or image in a body (and an attachment or image URL) may use. `media:` is the platform's own. */
export const SAFE_URL_SCHEMES = ['http', 'https', 'mailto', 'tel', 'media'] as const;

/**
 * `media:<uuid>` references the platform's media store (the media engineer's form); anything else must be an
 * absolute http(s) URL. `javascript:` and `data:` are refused outright (issue 7).
 */
export const CONTENT_URL = /^(https?:\/\/[^\s]+|media:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

/** A problem with a body, reported by the caller as BAD_USER_INPUT on `body`. */
export type BodyProblem =
  | { reason: 'BODY_TOO_DEEP'; depth: number }
  | { reason: 'UNSAFE_URL'; attribute: string; url: string };

/** The scheme a browser would see: it ignores ASCII whitespace and control characters inside the URL. */
export function urlScheme(raw: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these, so must we before comparing
  const squeezed = decodeHTML(raw).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(squeezed);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * One streaming pass (htmlparser2's tokenizer keeps no recursion): the deepest nesting and the first link or
 * source with a scheme outside the allowed ones. Stops early once the depth bound is passed.
 */
export function inspectBody(html: string): BodyProblem | null {
  let depth = 0;
  let deepest = 0;
  let problem: BodyProblem | null = null;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (problem) return;
        if (!VOID.has(name)) {
          depth += 1;
          if (depth > deepest) deepest = depth;
          if (depth > MAX_BODY_DEPTH) {
            problem = { reason: 'BODY_TOO_DEEP', depth };
            parser.pause();
            return;
          }
        }
        for (const attribute of ['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'poster']) {
          const value = attribs[attribute];
          if (value === undefined) continue;
          const scheme = urlScheme(value);
          if (scheme && !(SAFE_URL_SCHEMES as readonly string[]).includes(scheme)) {
            problem = { reason: 'UNSAFE_URL', attribute: `${name}.${attribute}`, url: value.slice(0, 100) };
            parser.pause();
            return;
          }
        }
      },
      onclosetag(name) {
        if (!VOID.has(name) && depth > 0) depth -= 1;
      },
    },
    { decodeEntities: false },
  );
  parser.write(html);
  if (!problem) parser.end();
  return problem;
}

/**
 * What a government page may contain: headings, paragraphs, lists, tables, links and images. No scripts, no
 * styles, no event handlers, no frames; links only to http(s)/mailto/tel, platform media and site-relative paths.
 */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code'],
    ...['ul', 'ol', 'li', 'dl', 'dt', 'dd', 'strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup', 'span', 'div'],
    ...['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'colgroup', 'col'],
    ...['a', 'img', 'figure', 'figcaption'],
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    col: ['span'],
    ol: ['start', 'type'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel', 'media'],
  allowedSchemesByTag: { img: ['http', 'https', 'media'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Links leaving the site open safely.
    a: (tagName, attribs) =>
      attribs.target === '_blank'
        ? { tagName, attribs: { ...attribs, rel: 'noopener noreferrer' } }
        : { tagName, attribs },
  },
};

export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, SANITIZE).trim();
}

/** The body as plain text, for search, previews and the personal-data check. */
export function plainText(html: string): string {
  const doc = parseDocument(html.replace(/<(br|\/p|\/li|\/h\d|\/tr|\/div)\b[^>]*>/gi, (m) => `${m}\n`));
  return decodeHTML(textContent(doc))
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

/** Images in the body that have no (or an empty) alt text. */
export function imagesWithoutAlt(html: string): string[] {
  const doc = parseDocument(html);
  return findAll((el) => el.name === 'img' && !(el.attribs.alt ?? '').trim(), doc.children).map(
    (el) => el.attribs.src ?? '',
  );
}

export interface PreparedBody {
  /** Sanitised HTML, as stored. */
  body: string;
  /** Plain text of the sanitised body. */
  text: string;
  /** `src` of images in the body without alt text (a pre-publish check, GB/T 37668). */
  imagesWithoutAlt: string[];
  problem: BodyProblem | null;
}

/** Checks, sanitises and extracts the text of a body: the whole job a worker thread runs. */
export function prepareBody(html: string): PreparedBody {
  const problem = inspectBody(html);
  if (problem) return { body: '', text: '', imagesWithoutAlt: [], problem };
  const body = sanitizeBody(html);
  return { body, text: plainText(body), imagesWithoutAlt: imagesWithoutAlt(body), problem: null };
}

export default prepareBody;

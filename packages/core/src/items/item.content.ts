import { createHash } from 'node:crypto';
import { findAll, textContent } from 'domutils';
import { decodeHTML } from 'entities';
import { parseDocument } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import { canonicalJson } from '../audit/audit-hash.ts';

/**
 * What a government page may contain: headings, paragraphs, lists, tables, links and images. No scripts, no
 * styles, no event handlers, no frames; links only to http(s)/mailto/tel and site-relative paths.
 */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'sub',
    'sup',
    'span',
    'div',
    'table',
    'caption',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'colgroup',
    'col',
    'a',
    'img',
    'figure',
    'figcaption',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    col: ['span'],
    ol: ['start', 'type'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
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

const isoDate = z.iso.date();
const text = (max: number) => z.string().trim().max(max);

export const validities = ['EFFECTIVE', 'AMENDED', 'REPEALED', 'EXPIRED'] as const;

/** Every field an editor may set; a revision stores them all (null where unset). */
export const contentFields = {
  title: text(300).min(1),
  subtitle: text(300).nullish(),
  summary: text(1000).nullish(),
  body: z.string().max(2_000_000).nullish(),
  /** 信息来源, required to publish (2015 §12). */
  source: text(200).nullish(),
  author: text(100).nullish(),
  keywords: z.array(text(50).min(1)).max(20).nullish(),
  /** When the activity took place (activity news: online within 24 hours, 2015 §2). */
  occurredAt: z.coerce.date().nullish(),
  // An attachment or image is a URL or an uploaded file of the same site, by id (issue 8); the revision then pins
  // the file's hash, so a published version always shows exactly the bytes that were signed.
  attachments: z
    .array(
      z
        .object({
          url: text(1000).min(1).nullish(),
          mediaId: z.uuid().nullish(),
          name: text(200).min(1).nullish(),
          mediaType: text(100).nullish(),
        })
        .refine((a) => !!a.url !== !!a.mediaId, 'Give either url or mediaId')
        .refine((a) => !!a.mediaId || !!a.name, 'An attachment by URL needs a name'),
    )
    .max(100)
    .nullish(),
  images: z
    .array(
      z
        .object({
          url: text(1000).min(1).nullish(),
          mediaId: z.uuid().nullish(),
          alt: text(300).nullish(),
          caption: text(300).nullish(),
        })
        .refine((i) => !!i.url !== !!i.mediaId, 'Give either url or mediaId'),
    )
    .max(100)
    .nullish(),
  // 规范性文件
  docNumber: text(100).nullish(),
  issuingBody: text(200).nullish(),
  writtenAt: isoDate.nullish(),
  issuedAt: isoDate.nullish(),
  validity: z.enum(validities).nullish(),
  supersededById: z.uuid().nullish(),
  topic: text(100).nullish(),
};

export type ContentInput = { [K in keyof typeof contentFields]?: z.input<(typeof contentFields)[K]> };

/** `mediaId` and `sha256` are present only for uploaded files (so older content keeps its hash). */
export interface ContentAttachment {
  url: string;
  name: string;
  mediaType: string | null;
  mediaId?: string;
  sha256?: string;
}
export interface ContentImage {
  url: string;
  alt: string | null;
  caption: string | null;
  mediaId?: string;
  sha256?: string;
}

export interface ItemContent {
  title: string;
  subtitle: string | null;
  summary: string | null;
  body: string;
  source: string | null;
  author: string | null;
  keywords: string[];
  occurredAt: string | null;
  attachments: ContentAttachment[];
  images: ContentImage[];
  docNumber: string | null;
  issuingBody: string | null;
  writtenAt: string | null;
  issuedAt: string | null;
  validity: (typeof validities)[number] | null;
  supersededById: string | null;
  topic: string | null;
}

/** Merges a patch into the previous content (undefined keeps, null clears) and normalises it. */
export function normaliseContent(prev: ItemContent | null, patch: Record<string, unknown>): ItemContent {
  const pick = <T>(key: keyof ItemContent, fallback: T): T =>
    (patch[key] === undefined ? (prev?.[key] ?? fallback) : (patch[key] ?? fallback)) as T;
  const occurred = pick<Date | string | null>('occurredAt', null);
  return {
    title: pick('title', ''),
    subtitle: pick('subtitle', null),
    summary: pick('summary', null),
    body: sanitizeBody(pick('body', '')),
    source: pick('source', null),
    author: pick('author', null),
    keywords: pick('keywords', []),
    occurredAt: occurred instanceof Date ? occurred.toISOString() : occurred,
    attachments: pick<Partial<ContentAttachment>[]>('attachments', []).map((a) => ({
      url: a.url ?? '',
      name: a.name ?? '',
      mediaType: a.mediaType ?? null,
      ...(a.mediaId ? { mediaId: a.mediaId, ...(a.sha256 ? { sha256: a.sha256 } : {}) } : {}),
    })),
    images: pick<Partial<ContentImage>[]>('images', []).map((i) => ({
      url: i.url ?? '',
      alt: i.alt ?? null,
      caption: i.caption ?? null,
      ...(i.mediaId ? { mediaId: i.mediaId, ...(i.sha256 ? { sha256: i.sha256 } : {}) } : {}),
    })),
    docNumber: pick('docNumber', null),
    issuingBody: pick('issuingBody', null),
    writtenAt: pick('writtenAt', null),
    issuedAt: pick('issuedAt', null),
    validity: pick('validity', null),
    supersededById: pick('supersededById', null),
    topic: pick('topic', null),
  };
}

export function contentHash(content: ItemContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../audit/audit-hash.ts';
import { CONTENT_URL, imagesWithoutAlt, plainText, sanitizeBody } from './html-work.ts';

export { imagesWithoutAlt, plainText, sanitizeBody };

const isoDate = z.iso.date();
const text = (max: number) => z.string().trim().max(max);
/** Attachments and images: absolute http(s) URLs or platform media references (`media:<uuid>`), nothing else. */
const contentUrl = text(1000)
  .min(1)
  .regex(CONTENT_URL, 'an http(s) URL or a platform media reference (media:<uuid>); javascript: and data: are refused');

/** What a revision stores for an uploaded file (`/media/<id>/original`, issue 8), accepted back on restore. */
const storedUrl = z.union([contentUrl, text(100).regex(/^\/media\/[0-9a-f-]{36}\/[\w.]+$/i)]);

export const validities = ['EFFECTIVE', 'AMENDED', 'REPEALED', 'EXPIRED'] as const;

/** Every field an editor may set; a revision stores them all (null where unset). */
export const contentFields = {
  title: text(300).min(1),
  subtitle: text(300).nullish(),
  summary: text(1000).nullish(),
  /** At most 2,000,000 characters and 100 levels of nesting (checked before any recursive work). */
  body: z.string().max(2_000_000).nullish(),
  /** 信息来源, required to publish (2015 §12). */
  source: text(200).nullish(),
  author: text(100).nullish(),
  keywords: z.array(text(50).min(1)).max(20).nullish(),
  /** When the activity took place (activity news: online within 24 hours, 2015 §2). */
  occurredAt: z.coerce.date().nullish(),
  /** When the activity ended: the 24 hours run from the end (2015 §2: 活动结束后 24 小时内). */
  endedAt: z.coerce.date().nullish(),
  /** 事关民生的重要政务活动 (2015 §2): only these are bound to the 24-hour deadline. */
  importantLivelihood: z.boolean().nullish(),
  // An attachment or image is a URL or an uploaded file of the same site, by id (issue 8); the revision then pins
  // the file's hash, so a published version always shows exactly the bytes that were signed.
  attachments: z
    .array(
      z
        .object({
          url: storedUrl.nullish(),
          mediaId: z.uuid().nullish(),
          name: text(200).min(1).nullish(),
          mediaType: text(100).nullish(),
        })
        .refine((a) => !!a.url || !!a.mediaId, 'Give url or mediaId')
        .refine((a) => !!a.mediaId || !!a.name, 'An attachment by URL needs a name'),
    )
    .max(100)
    .nullish(),
  images: z
    .array(
      z
        .object({
          url: storedUrl.nullish(),
          mediaId: z.uuid().nullish(),
          alt: text(300).nullish(),
          caption: text(300).nullish(),
        })
        .refine((i) => !!i.url || !!i.mediaId, 'Give url or mediaId'),
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
  endedAt: string | null;
  importantLivelihood: boolean | null;
  attachments: ContentAttachment[];
  images: ContentImage[];
  docNumber: string | null;
  issuingBody: string | null;
  writtenAt: string | null;
  issuedAt: string | null;
  validity: (typeof validities)[number] | null;
  supersededById: string | null;
  topic: string | null;
  /**
   * Where the item is shown is reviewed content too (2015 §12 谁审查谁负责): the slug and the extra columns
   * (ids, sorted) are part of the revision and its hash, and reach the public only when it is published.
   * Absent in revisions saved before they were (migration 0006).
   */
  slug?: string;
  alsoIn?: string[];
}

/** Merges a patch into the previous content (undefined keeps, null clears) and normalises it. */
export function normaliseContent(
  prev: ItemContent | null,
  patch: Record<string, unknown>,
  /** The body already checked and sanitised (off the event loop); without it the body is sanitised here. */
  preparedBody?: string,
): ItemContent {
  const pick = <T>(key: keyof ItemContent, fallback: T): T =>
    (patch[key] === undefined ? (prev?.[key] ?? fallback) : (patch[key] ?? fallback)) as T;
  const occurred = pick<Date | string | null>('occurredAt', null);
  const ended = pick<Date | string | null>('endedAt', null);
  const slug = pick<string | null>('slug', null);
  const alsoIn = pick<string[] | null>('alsoIn', null);
  return {
    title: pick('title', ''),
    subtitle: pick('subtitle', null),
    summary: pick('summary', null),
    // A stored body was sanitised when it was saved; only a new one is (and only here when not prepared).
    body:
      patch.body === undefined
        ? (prev?.body ?? '')
        : (preparedBody ?? sanitizeBody((patch.body as string | null) ?? '')),
    source: pick('source', null),
    author: pick('author', null),
    keywords: pick('keywords', []),
    occurredAt: occurred instanceof Date ? occurred.toISOString() : occurred,
    endedAt: ended instanceof Date ? ended.toISOString() : ended,
    importantLivelihood: pick('importantLivelihood', null),
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
    ...(slug ? { slug } : {}),
    ...(alsoIn ? { alsoIn: [...new Set(alsoIn)].sort() } : {}),
  };
}

export function contentHash(content: ItemContent): string {
  return canonicalContent(content).hash;
}

/** The content's canonical JSON (valid JSON of it, keys sorted) and its hash: one serialisation for both. */
export function canonicalContent(content: ItemContent): { json: string; hash: string } {
  const json = canonicalJson(content);
  return { json, hash: createHash('sha256').update(json).digest('hex') };
}

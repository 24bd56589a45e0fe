import { AppError } from '../errors/app-error.ts';
import type { MediaKind } from './media.entity.ts';

/**
 * What a file may be (issue 8): the type is decided by the content, the extension must agree. Each entry:
 * the extensions a detected type may carry, its kind, and the Content-Type it is served with.
 */
interface Allowed {
  exts: string[];
  kind: MediaKind;
  serveAs: string;
}
const ALLOWED: Record<string, Allowed> = {
  'image/jpeg': { exts: ['jpg', 'jpeg'], kind: 'IMAGE', serveAs: 'image/jpeg' },
  'image/png': { exts: ['png'], kind: 'IMAGE', serveAs: 'image/png' },
  'image/webp': { exts: ['webp'], kind: 'IMAGE', serveAs: 'image/webp' },
  'image/gif': { exts: ['gif'], kind: 'IMAGE', serveAs: 'image/gif' },
  'image/avif': { exts: ['avif'], kind: 'IMAGE', serveAs: 'image/avif' },
  'application/pdf': { exts: ['pdf'], kind: 'DOCUMENT', serveAs: 'application/pdf' },
  // OLE2 compound files: Word/Excel/PowerPoint 97–2003 and their WPS Office counterparts (WPS 文字/表格/演示).
  'application/x-cfb': {
    exts: ['doc', 'xls', 'ppt', 'wps', 'et', 'dps'],
    kind: 'DOCUMENT',
    serveAs: 'application/octet-stream',
  },
  // Rich Text Format, as Word and WPS write it — and as many older CMSs and exports stored a "Word" attachment under
  // .doc (Word and WPS open either by its content): refusing those left a tenth of a DedeCMS site's attachments
  // behind in an import (issue 11). No script runs in it in a browser; it is served as a download, with its own type.
  'application/rtf': { exts: ['rtf', 'doc'], kind: 'DOCUMENT', serveAs: 'application/rtf' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    exts: ['docx'],
    kind: 'DOCUMENT',
    serveAs: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    exts: ['xlsx'],
    kind: 'DOCUMENT',
    serveAs: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
    exts: ['pptx'],
    kind: 'DOCUMENT',
    serveAs: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  },
  // OFD (GB/T 33190, 版式文档) is a ZIP package whose root holds OFD.xml; see classifyUpload.
  'application/zip': { exts: ['ofd'], kind: 'DOCUMENT', serveAs: 'application/ofd' },
  'audio/mpeg': { exts: ['mp3'], kind: 'AUDIO', serveAs: 'audio/mpeg' },
  'video/mp4': { exts: ['mp4'], kind: 'VIDEO', serveAs: 'video/mp4' },
  // Text has no magic number: accepted by extension only when the content looks like text (see below).
  'text/plain': { exts: ['txt'], kind: 'DOCUMENT', serveAs: 'text/plain; charset=utf-8' },
  'text/csv': { exts: ['csv'], kind: 'DOCUMENT', serveAs: 'text/csv; charset=utf-8' },
};
/** file-type names some OLE2 files more precisely; they are the same container. */
const CFB_ALIASES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint']);

export const allowedExtensions = [...new Set(Object.values(ALLOWED).flatMap((a) => a.exts))];

/** Markers of markup or script inside a file that claims to be something else (a polyglot). */
const ACTIVE_MARKERS = [/<script/i, /<html/i, /<!doctype\s+html/i, /<\?php/i, /<svg/i, /<iframe/i, /<body/i];
const ZIP_END = 'PK\u0005\u0006';

export interface Sniffed {
  /** What file-type found from the magic numbers (undefined when it knows none: text, or unknown binary). */
  detected?: { mime: string; ext: string };
  /** The first and last bytes of the file (a few KiB each), as latin1 text for marker scans. */
  head: string;
  tail: string;
  /** The head decodes as UTF-8 (possibly cut in the middle of a character). */
  headIsUtf8: boolean;
}

export interface Classified {
  mediaType: string;
  kind: MediaKind;
  extension: string;
}

export function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return m ? m[1]!.toLowerCase() : '';
}

/**
 * Kept only for Content-Disposition, never used as a path; still, a name that tries to be a path is refused
 * rather than silently rewritten, so the uploader learns what was wrong.
 */
export function checkFileName(name: string): string {
  const n = name.normalize('NFC').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  const bad = /[/\\\u0000-\u001f\u007f]/.test(n) || n === '.' || n === '..' || n.startsWith('.') || n.length > 200;
  if (!n || bad)
    throw new AppError('MEDIA_NAME_INVALID', 'A file name must be a plain name: no slashes, no leading dot', {
      field: 'file',
    });
  return n;
}

/** Decides what an upload is, from its content; refuses anything outside the allow-list or disguised. */
export function classifyUpload(sniffed: Sniffed, fileName: string): Classified {
  const ext = extensionOf(fileName);
  if (!allowedExtensions.includes(ext))
    throw new AppError('MEDIA_TYPE_NOT_ALLOWED', `Files of type .${ext || '(none)'} are not accepted`, {
      field: 'file',
      details: { allowed: allowedExtensions },
    });
  let mime = sniffed.detected?.mime;
  if (mime && CFB_ALIASES.has(mime)) mime = 'application/x-cfb';
  if (!mime) {
    // No magic number: only plain text is acceptable, and only if it is neither binary nor markup.
    const isText =
      !sniffed.head.includes('\u0000') &&
      !/^#!/.test(sniffed.head) &&
      !ACTIVE_MARKERS.some((re) => re.test(sniffed.head));
    if (!isText || !['txt', 'csv'].includes(ext)) throw mismatch(ext, 'unknown binary content');
    mime = ext === 'csv' ? 'text/csv' : 'text/plain';
  }
  const allowed = ALLOWED[mime];
  // The name says an accepted type, the content says another: a disguise (an .exe renamed .pdf).
  if (!allowed) throw mismatch(ext, mime);
  if (!allowed.exts.includes(ext)) throw mismatch(ext, mime);
  if (mime === 'application/zip' && !sniffed.head.includes('OFD.xml')) throw mismatch(ext, 'a ZIP that is not OFD');
  const scan = sniffed.head + sniffed.tail;
  const markup = ACTIVE_MARKERS.find((re) => re.test(scan));
  const zipTail = !['application/zip'].includes(mime) && !mime.includes('openxmlformats') && scan.includes(ZIP_END);
  if (markup || zipTail)
    throw new AppError('MEDIA_POLYGLOT', 'The file carries content of another type (markup, script or an archive)', {
      field: 'file',
    });
  return { mediaType: mime, kind: allowed.kind, extension: ext };
}

function mismatch(ext: string, what: string) {
  return new AppError('MEDIA_TYPE_MISMATCH', `The content (${what}) does not match the extension .${ext}`, {
    field: 'file',
  });
}

/** The Content-Type a stored file is served with (OLE2 documents by their extension). */
export function servedContentType(mediaType: string, extension: string): string {
  if (mediaType === 'application/x-cfb') {
    const byExt: Record<string, string> = {
      doc: 'application/msword',
      xls: 'application/vnd.ms-excel',
      ppt: 'application/vnd.ms-powerpoint',
      wps: 'application/vnd.ms-works',
      et: 'application/vnd.ms-excel',
      dps: 'application/vnd.ms-powerpoint',
    };
    return byExt[extension] ?? 'application/octet-stream';
  }
  return ALLOWED[mediaType]?.serveAs ?? 'application/octet-stream';
}

/** Images and PDFs display in the browser; everything else downloads. */
export function servedInline(mediaType: string): boolean {
  return mediaType.startsWith('image/') || mediaType === 'application/pdf' || /^(audio|video)\//.test(mediaType);
}

/** Renditions for responsive pages: a few widths × WebP, AVIF and a JPEG (or PNG with transparency) fallback. */
export const RENDITION_WIDTHS = [320, 640, 1280] as const;
export const RENDITION_FORMATS = ['webp', 'avif', 'jpg', 'png', 'gif'] as const;
export type RenditionFormat = (typeof RENDITION_FORMATS)[number];

export function parseRenditionName(name: string): { width: number; format: RenditionFormat } | null {
  const m = /^w(\d{2,4})\.(webp|avif|jpg|png|gif)$/.exec(name);
  if (!m) return null;
  const width = Number(m[1]);
  if (!(RENDITION_WIDTHS as readonly number[]).includes(width)) return null;
  return { width, format: m[2] as RenditionFormat };
}

/** The renditions an image gets: animated images keep their animation (WebP + GIF), never AVIF stills. */
export function renditionPlan(img: { width: number; animated: boolean; hasAlpha: boolean }): string[] {
  const widths = RENDITION_WIDTHS.filter((w, i) => i === 0 || w <= img.width);
  const formats: RenditionFormat[] = img.animated ? ['webp', 'gif'] : ['webp', 'avif', img.hasAlpha ? 'png' : 'jpg'];
  return widths.flatMap((w) => formats.map((f) => `w${w}.${f}`));
}

export function quotaProblem(usedBytes: number, addBytes: number, quotaBytes: number): AppError | null {
  if (usedBytes + addBytes <= quotaBytes) return null;
  return new AppError('MEDIA_QUOTA_EXCEEDED', undefined, {
    field: 'file',
    details: { usedBytes, addBytes, quotaBytes },
  });
}

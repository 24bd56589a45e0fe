/**
 * Encodings are detected, not assumed (issue 11). Legacy Chinese government sites are mostly GBK; newer ones
 * UTF-8. The rule, measured on real files (shared/notes/legacy-formats.md §8.5):
 *   1. a byte-order mark;
 *   2. what the file declares — `<meta charset>` / `<?xml encoding>` for HTML and XML, `SET NAMES` /
 *      `DEFAULT CHARSET` for SQL dumps;
 *   3. a strict UTF-8 decode of a sample;
 *   4. otherwise GB18030 (a superset of GBK and GB2312, so it decodes every GBK file);
 *   5. `chardet` only to break a tie towards Big5 on large samples (it misfires on small GBK files).
 * A declaration is trusted only if the sample agrees with it: a dump that says `utf8` but holds GBK bytes is
 * common (phpMyAdmin exports of latin1 tables), and a page that declares gb2312 often holds GBK-only characters.
 */

import { Transform } from 'node:stream';
import { analyse } from 'chardet';
import iconv from 'iconv-lite';

export type SourceKind = 'html' | 'xml' | 'sql' | 'text';
export type EncodingHow = 'bom' | 'declared' | 'utf8-valid' | 'gb18030' | 'statistics';
export interface DetectedEncoding {
  /** A name iconv-lite and TextDecoder both accept: `utf-8`, `gb18030`, `big5`, `utf-16le`, `utf-16be`. */
  encoding: string;
  how: EncodingHow;
}

const ascii = new TextDecoder('latin1');

/** Map the many spellings found in the wild onto the decoder we use. GBK and GB2312 are decoded as GB18030. */
export function normaliseEncodingName(name: string): string | null {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (/^utf-?8(mb4|mb3)?$/.test(n) || n === 'utf8mb4' || n === 'utf8mb3') return 'utf-8';
  if (/^(gbk|gb2312|gb_2312(-80)?|gb18030|cp936|x-gbk|euc-cn|csgb2312|chinese|windows-936|ms936)$/.test(n))
    return 'gb18030';
  if (/^(big5|big5-hkscs|cp950|x-x-big5)$/.test(n)) return 'big5';
  if (/^(latin1|iso-8859-1|cp1252|windows-1252)$/.test(n)) return 'latin1';
  if (/^utf-?16(le)?$/.test(n)) return 'utf-16le';
  if (/^utf-?16be$/.test(n)) return 'utf-16be';
  return null;
}

function bom(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** The charset a document declares in its first bytes, by kind. */
export function declaredEncoding(head: Uint8Array, kind: SourceKind): string | null {
  const text = ascii.decode(head.subarray(0, 64 * 1024));
  const patterns: RegExp[] =
    kind === 'sql'
      ? [
          // EmpireBak volumes (bdata/<db>/<table>_N.php) call DoSetDbChar('gbk') before their SQL
          /DoSetDbChar\(\s*['"]([\w-]+)/i,
          /SET\s+NAMES\s+['"`]?([\w-]+)/i,
          /DEFAULT\s+CHARSET\s*=\s*([\w-]+)/i,
          /CHARACTER\s+SET\s*=?\s*([\w-]+)/i,
        ]
      : kind === 'xml'
        ? [/<\?xml[^>]*encoding\s*=\s*["']([\w-]+)["']/i, /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i]
        : kind === 'html'
          ? [/<meta[^>]+charset\s*=\s*["']?([\w-]+)/i, /<\?xml[^>]*encoding\s*=\s*["']([\w-]+)["']/i]
          : [];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1]) return normaliseEncodingName(m[1]);
  }
  return null;
}

/** Strict UTF-8 over a sample; a multi-byte sequence cut by the end of the sample is not an error. */
export function isValidUtf8(sample: Uint8Array): boolean {
  let end = sample.length;
  // Back off at most 3 bytes to the start of a possibly cut sequence.
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = sample[end - i]!;
    if ((b & 0xc0) === 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (i < need) end -= i;
      break;
    }
    if ((b & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function hasHighBytes(sample: Uint8Array): boolean {
  for (const b of sample) if (b >= 0x80) return true;
  return false;
}

/** Is the sample well-formed in GB18030/GBK (every lead byte 0x81–0xFE followed by a valid trail byte)? */
export function isPlausibleGbk(sample: Uint8Array): boolean {
  let i = 0;
  const n = sample.length;
  while (i < n) {
    const b = sample[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b === 0x80 || b === 0xff) return false;
    if (i + 1 >= n) return true; // cut by the sample's end
    const t = sample[i + 1]!;
    if (t >= 0x30 && t <= 0x39) {
      i += 4; // GB18030 four-byte sequence
      continue;
    }
    if (t < 0x40 || t === 0x7f || t === 0xff) return false;
    i += 2;
  }
  return true;
}

/**
 * Decide the encoding of a source from its first bytes (64 KiB–1 MiB is a good sample). A declaration is
 * followed when the sample does not contradict it.
 */
export function detectEncoding(sample: Uint8Array, kind: SourceKind): DetectedEncoding {
  const fromBom = bom(sample);
  if (fromBom) return { encoding: fromBom, how: 'bom' };
  const utf8 = isValidUtf8(sample);
  const declared = declaredEncoding(sample, kind);
  if (declared === 'utf-8' && utf8) return { encoding: 'utf-8', how: 'declared' };
  if (declared === 'gb18030' && isPlausibleGbk(sample)) {
    // A page declaring gb2312 that is in fact valid UTF-8 with CJK text: trust the bytes.
    if (!(utf8 && hasHighBytes(sample))) return { encoding: 'gb18030', how: 'declared' };
  }
  if (declared === 'big5' && !utf8) return { encoding: 'big5', how: 'declared' };
  if (utf8) return { encoding: 'utf-8', how: 'utf8-valid' };
  if (sample.length >= 16 * 1024) {
    const guesses = analyse(sample);
    const top = guesses[0];
    if (top && /big5/i.test(top.name) && top.confidence >= 50) return { encoding: 'big5', how: 'statistics' };
  }
  return { encoding: 'gb18030', how: 'gb18030' };
}

export function decode(bytes: Uint8Array, encoding: string): string {
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A streaming decoder (for SQL dumps and WXR files that must not be held whole). Node's own decoder (simdutf for
 * UTF-8, ICU for GBK/GB18030/Big5) where it has the encoding — 5–10× faster than iconv-lite's, which was 3 % of a
 * WXR import's CPU (issue 11: throughput) — else iconv-lite. Either strips a byte-order mark; a character split
 * between two chunks is decoded whole.
 */
export function decodeStream(encoding: string): NodeJS.ReadWriteStream {
  let native: TextDecoder;
  try {
    native = new TextDecoder(encoding);
  } catch {
    return iconv.decodeStream(encoding, { stripBOM: true });
  }
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const text = native.decode(chunk, { stream: true });
      if (text) this.push(text);
      done();
    },
    flush(done) {
      const text = native.decode();
      if (text) this.push(text);
      done();
    },
  });
}

const CJK = /[\u3400-\u9fff]/;
const MOJIBAKE = /[\u00a1-\u00ff]{2,}/;

/**
 * Repair GBK text that was stored as Latin-1 (a GBK site on a latin1 MySQL table, then exported as UTF-8: "Õþ¸®"
 * instead of "政府"). Only runs of Latin-1 characters that re-encode to valid GBK with CJK characters and no
 * replacement characters are repaired, so real Western text (café, Müller) is left alone.
 */
export function repairLatin1Mojibake(text: string): { text: string; repaired: boolean } {
  if (!MOJIBAKE.test(text)) return { text, repaired: false };
  let repaired = false;
  const out = text.replace(/[\u0080-\u00ff][\u0020-\u00ff]*[\u0080-\u00ff]/g, (run) => {
    const bytes = Buffer.from(run, 'latin1');
    if (!isPlausibleGbk(bytes)) return run;
    const fixed = iconv.decode(bytes, 'gb18030');
    if (fixed.includes('\ufffd') || !CJK.test(fixed)) return run;
    // Most of the repaired characters must be CJK or CJK punctuation, or this was not GBK.
    const wide = [...fixed].filter((c) => c.charCodeAt(0) >= 0x3000).length;
    if (wide * 2 < [...fixed].filter((c) => c.charCodeAt(0) >= 0x80).length) return run;
    repaired = true;
    return fixed;
  });
  return { text: out, repaired };
}

/** CJK ideographs, CJK and full-width punctuation: what a Chinese file name is made of besides ASCII. */
const CHINESE_TEXT =
  /^[\u0020-\u007e\u00b7\u2010-\u201f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]*$/;

/** What a UTF-8 file name plausibly holds: Chinese text as above, or Latin letters with diacritics (café). */
const PLAUSIBLE_TEXT =
  /^[\u0020-\u007e\u00a0-\u024f\u2010-\u201f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]*$/;

function gbkPercentDecode(url: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < url.length; i++) {
    const c = url[i]!;
    if (c === '%' && /^[0-9a-f]{2}$/i.test(url.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(url.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  const buf = Buffer.from(bytes);
  if (!isPlausibleGbk(buf)) return null;
  const decoded = iconv.decode(buf, 'gb18030');
  return decoded.includes('\ufffd') ? null : decoded;
}

/**
 * Percent-decode a legacy URL: UTF-8 or GBK (old links like `/%D6%D0%CE%C4.doc` are GBK and make
 * `decodeURIComponent` throw). Some GBK byte runs are also valid UTF-8 (`%CD%A8%D6%AA`, 通知 in GBK, reads as
 * two combining/Hebrew marks in UTF-8): when the UTF-8 reading is not plausible text and the GBK reading is
 * Chinese, GBK wins. Returns the input when neither works. Redirect lookups also compare the raw form (legacy-formats.md §8.5).
 */
export function decodeLegacyUrl(url: string): string {
  let utf8: string | null = null;
  try {
    utf8 = decodeURI(url);
  } catch {
    utf8 = null;
  }
  if (utf8 !== null && (utf8 === url || PLAUSIBLE_TEXT.test(utf8))) return utf8;
  const gbk = gbkPercentDecode(url);
  if (gbk !== null && (utf8 === null || CHINESE_TEXT.test(gbk))) return gbk;
  return utf8 ?? url;
}

/**
 * Streaming XML for WXR: `saxes` (strict, namespace-aware) and `sax` in non-strict mode as the lenient fallback for
 * malformed exports (shared/notes/legacy-formats.md §2, §9). Both are turned into the same small event stream with
 * canonical element names (`wp:post_id`, `content:encoded`, `item`…), whatever prefix the file bound the
 * namespaces to, so the WXR reader above does not care which parser ran.
 *
 * Nothing holds the file: bytes are read in chunks, decoded by iconv-lite's streaming decoder and written to the
 * parser; the events of one chunk are handed out before the next chunk is read.
 */
import { createReadStream } from 'node:fs';
import sax from 'sax';
import { SaxesParser } from 'saxes';
import { decodeStream } from '../text/encoding.ts';

export type XmlEvent =
  /** `declaresWp`: the element binds a prefix to the WXR `wp` namespace. */
  | { k: 'open'; name: string; attrs: Record<string, string>; declaresWp?: boolean }
  /** Characters XML 1.0 forbids (C0 controls but tab/CR/LF, U+FFFE/U+FFFF) were removed from the input. */
  | { k: 'stripped'; count: number }
  | { k: 'text'; text: string }
  | { k: 'close'; name: string };

/**
 * The namespaces WXR uses, by URI. The `wp` namespace is accepted on http **and** https and for every version
 * (1.0–1.2; WordPress.com exports use https — legacy-formats.md §2.1). A `wp:` prefix bound to a foreign URI is
 * not WXR and its elements keep a `{uri}local` name nobody reads.
 */
export function prefixForUri(uri: string): string | null {
  if (/^https?:\/\/wordpress\.org\/export\/\d+\.\d+\/excerpt\/?$/i.test(uri)) return 'excerpt';
  if (/^https?:\/\/wordpress\.org\/export\/\d+\.\d+\/?$/i.test(uri)) return 'wp';
  if (/^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content\/?$/i.test(uri)) return 'content';
  if (/^https?:\/\/purl\.org\/dc\/elements\/1\.1\/?$/i.test(uri)) return 'dc';
  if (/^https?:\/\/wellformedweb\.org\/CommentAPI\/?$/i.test(uri)) return 'wfw';
  return null;
}

/** The prefix of each namespace URI seen, worked out once per file (a WXR element is namespaced more often than not). */
function canonicalNames() {
  const prefixes = new Map<string, string | null>();
  return (uri: string | undefined, local: string): string => {
    if (!uri) return local;
    let prefix = prefixes.get(uri);
    if (prefix === undefined) {
      prefix = prefixForUri(uri);
      prefixes.set(uri, prefix);
    }
    return prefix ? `${prefix}:${local}` : `{${uri}}${local}`;
  };
}
/** The attributes of an element that has none (most of a WXR's): one object, never written to. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class XmlSyntaxError extends Error {
  readonly line: number | null;
  constructor(message: string, line: number | null) {
    super(message);
    this.name = 'XmlSyntaxError';
    this.line = line;
  }
}

/**
 * Bytes read at a time. Small enough that a chunk's decoded text is an ordinary young object (V8 puts a string over
 * ~128 KB straight into the old generation): with 256 KB chunks the reading thread ran a full mark-compact every
 * ~100 ms of a 20,000-item import (63 in all), with 32 KB chunks 22, and the importing process's peak RSS fell
 * ~8 MB (issue 11).
 */
const CHUNK = 32 * 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'g');

/**
 * The events of one file, a chunk at a time. `strict` uses saxes and throws `XmlSyntaxError` at the first
 * well-formedness error (after handing out the events before it); non-strict uses sax and never throws on syntax.
 */
export async function* xmlEvents(path: string, encoding: string, strict: boolean): AsyncGenerator<XmlEvent[]> {
  const file = createReadStream(path, { highWaterMark: CHUNK });
  const decoder = decodeStream(encoding);
  const text = file.pipe(decoder);
  let out: XmlEvent[] = [];
  let write: (chunk: string) => void;
  let end: () => void;
  let failure: XmlSyntaxError | null = null;
  const canonical = canonicalNames();

  if (strict) {
    const parser = new SaxesParser({ xmlns: true, position: true });
    parser.on('opentag', (tag) => {
      let attrs = NO_ATTRIBUTES;
      let declaresWp = false;
      for (const key in tag.attributes) {
        const a = tag.attributes[key]!;
        if (!a.prefix) {
          if (attrs === NO_ATTRIBUTES) attrs = {};
          attrs[a.local] = a.value;
        } else if (a.prefix === 'xmlns' && prefixForUri(a.value) === 'wp') declaresWp = true;
      }
      out.push({ k: 'open', name: canonical(tag.uri, tag.local), attrs, declaresWp });
    });
    parser.on('closetag', (tag) => out.push({ k: 'close', name: canonical(tag.uri, tag.local) }));
    parser.on('text', (t) => out.push({ k: 'text', text: t }));
    parser.on('cdata', (t) => out.push({ k: 'text', text: t }));
    parser.on('error', (err) => {
      failure ??= new XmlSyntaxError(err.message, parser.line);
      throw failure;
    });
    write = (chunk) => {
      parser.write(chunk);
    };
    end = () => {
      parser.close();
    };
  } else {
    // Non-strict sax: recovers from unclosed tags, nested CDATA, stray `&`. Prefixes are resolved by hand from
    // the xmlns attributes seen so far (sax's own xmlns mode is strict about undeclared prefixes).
    const parser = sax.parser(false, { lowercase: true, trim: false, normalize: false, position: true });
    const bound = new Map<string, string>();
    const resolve = (raw: string): string => {
      const i = raw.indexOf(':');
      if (i < 0) return raw;
      const uri = bound.get(raw.slice(0, i));
      return uri ? canonical(uri, raw.slice(i + 1)) : raw;
    };
    const stack: string[] = [];
    parser.onopentag = (tag) => {
      const attrs: Record<string, string> = {};
      let declaresWp = false;
      for (const [k, v] of Object.entries(tag.attributes)) {
        const value = typeof v === 'string' ? v : v.value;
        if (k.startsWith('xmlns:')) {
          bound.set(k.slice(6), value);
          if (prefixForUri(value) === 'wp') declaresWp = true;
        } else if (!k.includes(':')) attrs[k] = value;
      }
      const name = resolve(tag.name);
      stack.push(name);
      out.push({ k: 'open', name, attrs, declaresWp });
    };
    parser.onclosetag = () => {
      const name = stack.pop();
      if (name !== undefined) out.push({ k: 'close', name });
    };
    parser.ontext = (t) => out.push({ k: 'text', text: t });
    parser.oncdata = (t) => out.push({ k: 'text', text: t });
    parser.onerror = () => {
      // Keep going: that is what the lenient parser is for.
      (parser as unknown as { error: unknown }).error = null;
      parser.resume();
    };
    write = (chunk) => {
      parser.write(chunk);
    };
    end = () => {
      parser.close();
    };
  }

  try {
    for await (const raw of text as AsyncIterable<string>) {
      // WordPress writes post content into CDATA as typed: text pasted from Word carries vertical tabs and other
      // C0 controls that make the whole file ill-formed. Dropping them is a repair of characters, not of
      // structure, so the strict parser can go on (the count is reported).
      let stripped = 0;
      // Tested first: most chunks have none, and a replace would copy every one of them.
      const chunk = FORBIDDEN.test(raw)
        ? raw.replace(FORBIDDEN_ALL, () => {
            stripped++;
            return '';
          })
        : raw;
      if (stripped) out.push({ k: 'stripped', count: stripped });
      try {
        write(chunk);
      } catch (err) {
        if (out.length) yield out;
        out = [];
        throw failure ?? new XmlSyntaxError(err instanceof Error ? err.message : String(err), null);
      }
      if (out.length) {
        yield out;
        out = [];
      }
    }
    try {
      end();
    } catch (err) {
      if (out.length) yield out;
      out = [];
      throw failure ?? new XmlSyntaxError(err instanceof Error ? err.message : String(err), null);
    }
    if (out.length) yield out;
  } finally {
    file.destroy();
    (decoder as unknown as { destroy(): void }).destroy();
  }
}

/**
 * A created revision's canonical content as bytes, built around a body this thread never holds as a string (issue 11:
 * the HTML pool hands each body back as its JSON string in UTF-8, import-bodies.ts).
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../audit/audit-hash.ts';
import type { ItemContent } from '../items/item.content.ts';
import type { ByteArena } from './byte-arena.ts';

/** The body of a content being built, until `splicedContent` puts the real one in. Random per process: no legacy text is it. */
export const BODY_HERE = `\u0000body ${randomUUID()}\u0000`;
const BODY_KEY = '"body":';
const BODY_SLOT = `${BODY_KEY}${JSON.stringify(BODY_HERE)}`;

/**
 * `canonicalJson` of `content` (whose body is BODY_HERE) with `body` — a JSON string in UTF-8 — in the body's place,
 * after `prefix` when given, in `arena`: the bytes `canonicalContent` gives for the content with that body
 * (JSON.stringify writes a string the same way wherever it stands).
 */
export function splicedContent(arena: ByteArena, content: ItemContent, body: Uint8Array, prefix?: number): Buffer {
  const json = canonicalJson(content);
  const at = json.indexOf(BODY_SLOT);
  if (at < 0 || json.includes(BODY_SLOT, at + 1)) throw new Error('no single place for the body in the content');
  return arena.joined([json.slice(0, at + BODY_KEY.length), body, json.slice(at + BODY_SLOT.length)], prefix);
}

/**
 * PHP-serialised postmeta (`a:2:{s:5:"width";i:640;…}`), decoded with `php-serialize` — a parser, never `eval`
 * (legacy-formats.md §9). Objects are refused: a serialised `O:`/`C:` value names a PHP class, and in PHP its
 * magic methods would run on unserialize (the classic object-injection attack). Here no class is in scope and the
 * parser runs strict, so an object makes it throw; the value is then kept as the raw string and a warning is
 * raised. Arrays come back as plain data with dangerous keys (`__proto__`, `constructor`, `prototype`) dropped.
 */
import { isSerialized, unserialize } from 'php-serialize';

/** Values larger than this are not decoded (WordPress's own metadata is a few KiB at most). */
export const MAX_SERIALIZED_BYTES = 256 * 1024;

export type PhpDecoded =
  | { kind: 'plain'; value: string }
  | { kind: 'decoded'; value: unknown }
  | { kind: 'refused'; value: string; reason: string };

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function toPlain(value: unknown, depth = 0): unknown {
  if (depth > 32) throw new Error('nested too deeply');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (UNSAFE_KEYS.has(key)) continue;
      out[key] = toPlain((value as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  }
  return value;
}

/** Decodes a postmeta value if it is PHP-serialised; anything else is returned as the plain string. */
export function decodePhpValue(raw: string): PhpDecoded {
  const value = raw.trim();
  if (!isSerialized(value)) return { kind: 'plain', value: raw };
  if (Buffer.byteLength(value) > MAX_SERIALIZED_BYTES) return { kind: 'refused', value: raw, reason: 'too large' };
  if (/(^|[;{])[OC]:\d+:"/.test(value)) {
    // Fast path for the common attack shape; the strict, empty scope below is what really guarantees it.
    return { kind: 'refused', value: raw, reason: 'serialised PHP object' };
  }
  try {
    // No class in scope (not even Object's prototype), strict: an object of any class throws.
    const decoded = unserialize(value, Object.create(null) as Record<string, unknown>, { strict: true });
    return { kind: 'decoded', value: toPlain(decoded) };
  } catch (err) {
    return { kind: 'refused', value: raw, reason: err instanceof Error ? err.message : String(err) };
  }
}

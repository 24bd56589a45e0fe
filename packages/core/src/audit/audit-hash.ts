import { createHash } from 'node:crypto';

export interface AuditFields {
  siteId?: string | null;
  at: Date;
  actorType: string;
  actorId?: string | null;
  actorName?: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  clientAddress?: string | null;
  requestId?: string | null;
  changes: Record<string, unknown>;
}

/**
 * JSON with object keys sorted at every depth, so the same record always hashes the same (jsonb reorders keys).
 * The text is also valid JSON of the value itself: an importer stores it as the record (issue 11: one serialisation
 * per record, not two).
 *
 * Written by the engine's own JSON.stringify over a copy whose objects take their keys in sorted order (issue 11:
 * this runs for every imported item twice; built by appending in JS it was the importing thread's largest
 * allocation — the record's text as a chain of pieces, then flattened again to be hashed). A copy cannot hold an
 * array-index key ("10", "2") in sorted order, nor an own `__proto__`: a value with one is written by appending.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(sortedCopy(value)) ?? 'null';
  } catch (e) {
    if (e === UNORDERABLE) return appended(value);
    throw e;
  }
}

const UNORDERABLE = new Error('a key a copy cannot keep in sorted order');
// An array index (a canonical integer below 2^32 − 1): enumerated first and in numeric order by every JS object.
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortedCopy(value[i]);
    return out;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort compares strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if ((ARRAY_INDEX.test(k) && Number(k) < 4294967295) || k === '__proto__') throw UNORDERABLE;
    const v = record[k];
    if (v !== undefined) out[k] = sortedCopy(v);
  }
  return out;
}

/** The same text built by appending: for the values a sorted copy cannot represent. */
function appended(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + appended(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${appended(v)}`;
  }
  return `${out}}`;
}

/** hash(n) = sha256(hash(n-1) ‖ canonical record n): editing or deleting any record breaks every later link. */
export function auditHash(prevHash: string | null, f: AuditFields): string {
  const body = canonicalJson([
    prevHash,
    f.siteId ?? null,
    f.at.toISOString(),
    f.actorType,
    f.actorId ?? null,
    f.actorName ?? null,
    f.action,
    f.targetType,
    f.targetId ?? null,
    f.clientAddress ?? null,
    f.requestId ?? null,
    f.changes,
  ]);
  return createHash('sha256').update(body).digest('hex');
}

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
 * per record, not two). Built by appending, without the intermediate entry arrays (it runs for every imported item).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort compares strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
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

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

/** JSON with object keys sorted at every depth, so the same record always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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

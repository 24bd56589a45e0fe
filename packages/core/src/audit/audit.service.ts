import type { EntityManager } from '@mikro-orm/sql';
import { actorLabel } from '../access/actor.ts';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { type Page, type PageArgs, pageOf } from '../shared/pagination.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { AuditRecord } from './audit-record.entity.ts';
import { type AuditFields, auditHash } from './audit-hash.ts';

export interface AuditEntry {
  siteId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  changes?: Record<string, unknown>;
}

/**
 * Appends one record to its site's chain, inside the caller's transaction (`em` must be transactional), so the
 * record exists exactly when the change does. The advisory lock serialises appends per chain.
 */
export async function appendAudit(em: EntityManager, ctx: Ctx, entry: AuditEntry): Promise<void> {
  const actor = actorLabel(ctx.actor);
  const chain = entry.siteId ?? 'platform';
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`zq.audit:${chain}`]);
  const [head] = await em.execute<{ hash: string }[]>('select hash from zq_audit_head(?)', [entry.siteId]);
  const fields: AuditFields = {
    siteId: entry.siteId,
    at: ctx.now(),
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    clientAddress: ctx.clientAddress ?? null,
    requestId: ctx.requestId ?? null,
    changes: JSON.parse(JSON.stringify(entry.changes ?? {})),
  };
  const prevHash = head?.hash ?? null;
  await em.insert(AuditRecord, { ...fields, prevHash, hash: auditHash(prevHash, fields) });
}

async function auditSiteId(ctx: Ctx, siteCode: string | null | undefined): Promise<string | null> {
  if (!siteCode) {
    if (ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && ctx.actor.platformAdmin)) return null;
    throw new AppError('FORBIDDEN', 'Only platform admins read the platform chain');
  }
  const site = await requireSiteByCode(ctx, siteCode);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  return site.id;
}

export interface AuditLogArgs extends PageArgs {
  siteCode?: string | null;
  action?: string | null;
}

/** Newest first. Site admins read their sites' chains; platform admins also the platform chain (no site). */
export async function listAuditLog(ctx: Ctx, args: AuditLogArgs): Promise<Page<AuditRecord>> {
  const siteId = await auditSiteId(ctx, args.siteCode);
  return pageOf(ctx.em, AuditRecord, {
    where: { siteId, ...(args.action ? { action: args.action } : {}) },
    orderBy: 'seq',
    cursor: 'integer',
    direction: 'desc',
    args,
  });
}

export interface AuditChainReport {
  ok: boolean;
  checked: number;
  firstBrokenSeq: string | null;
  reason: string | null;
}

/** Walks the chain in order and recomputes every hash; reports the first link that does not hold. */
export async function verifyAuditChain(ctx: Ctx, siteCode: string | null | undefined): Promise<AuditChainReport> {
  const siteId = await auditSiteId(ctx, siteCode);
  let prevHash: string | null = null;
  let checked = 0;
  let after = '0';
  for (;;) {
    const batch: AuditRecord[] = await ctx.em.find(
      AuditRecord,
      { siteId, seq: { $gt: after } },
      { orderBy: { seq: 'asc' }, limit: 1000, disableIdentityMap: true },
    );
    for (const rec of batch) {
      const broken = (reason: string): AuditChainReport => ({ ok: false, checked, firstBrokenSeq: rec.seq, reason });
      if (rec.prevHash !== prevHash)
        return broken('prev_hash does not match the previous record (a record was removed or reordered)');
      if (auditHash(prevHash, rec) !== rec.hash) return broken('the record was changed after it was written');
      prevHash = rec.hash;
      checked += 1;
    }
    if (batch.length < 1000) return { ok: true, checked, firstBrokenSeq: null, reason: null };
    after = batch[batch.length - 1]!.seq;
  }
}

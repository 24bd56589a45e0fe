import type { EntityManager } from '@mikro-orm/sql';
import { actorLabel } from '../access/actor.ts';
import { canAdministerSite, isPlatformWide } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { type Page, type PageArgs, pageOf } from '../shared/pagination.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { AuditCheckpoint } from './audit-checkpoint.entity.ts';
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
  /** The newest checkpoint the chain was held to (null before the first one). */
  anchoredSeq: string | null;
  anchoredAt: Date | null;
  /** Records that a checkpoint proves existed and that are gone: the chain was cut off after `afterSeq`. */
  missing: { afterSeq: string | null; throughSeq: string; records: number } | null;
}

const report = (r: Partial<AuditChainReport> & Pick<AuditChainReport, 'ok' | 'checked'>): AuditChainReport => ({
  firstBrokenSeq: null,
  reason: null,
  anchoredSeq: null,
  anchoredAt: null,
  missing: null,
  ...r,
});

/**
 * Walks the chain in order and recomputes every hash; reports the first link that does not hold. The chain must
 * also reach every checkpoint of it (the head's sequence number, hash and record count, anchored by the worker):
 * deleting the newest records breaks no link, but leaves a checkpoint whose head is gone — named as missing.
 */
export async function verifyAuditChain(ctx: Ctx, siteCode: string | null | undefined): Promise<AuditChainReport> {
  const siteId = await auditSiteId(ctx, siteCode);
  // Read before the walk: a checkpoint taken meanwhile anchors records the walk will still reach.
  const checkpoints = await ctx.em.find(AuditCheckpoint, { siteId }, { orderBy: { headSeq: 'asc' } });
  const anchor = checkpoints.at(-1);
  const anchored = { anchoredSeq: anchor?.headSeq ?? null, anchoredAt: anchor?.at ?? null };
  let next = 0;
  let prevHash: string | null = null;
  let lastSeq: string | null = null;
  let checked = 0;
  let after = '0';
  const cut = (cp: AuditCheckpoint): AuditChainReport =>
    report({
      ok: false,
      checked,
      ...anchored,
      firstBrokenSeq: cp.headSeq,
      reason:
        `the chain was cut off: the checkpoint of ${cp.at.toISOString()} anchors ${cp.records} records ending at seq ` +
        `${cp.headSeq}, but the chain ${lastSeq ? `ends at seq ${lastSeq}` : 'is empty'} there (${checked} records)`,
      missing: { afterSeq: lastSeq, throughSeq: cp.headSeq, records: Number(cp.records) - checked },
    });
  for (;;) {
    const batch: AuditRecord[] = await ctx.em.find(
      AuditRecord,
      { siteId, seq: { $gt: after } },
      { orderBy: { seq: 'asc' }, limit: 1000, disableIdentityMap: true },
    );
    for (const rec of batch) {
      const broken = (reason: string) => report({ ok: false, checked, firstBrokenSeq: rec.seq, reason, ...anchored });
      // A checkpoint whose head lies before this record was passed without its head: records were removed.
      const passed = checkpoints[next];
      if (passed && BigInt(passed.headSeq) < BigInt(rec.seq)) return cut(passed);
      if (rec.prevHash !== prevHash)
        return broken('prev_hash does not match the previous record (a record was removed or reordered)');
      if (auditHash(prevHash, rec) !== rec.hash) return broken('the record was changed after it was written');
      prevHash = rec.hash;
      lastSeq = rec.seq;
      checked += 1;
      for (; checkpoints[next]?.headSeq === rec.seq; next++) {
        const cp = checkpoints[next]!;
        if (cp.headHash !== rec.hash || Number(cp.records) !== checked)
          return broken(`the chain does not match its checkpoint of ${cp.at.toISOString()} at this record`);
      }
    }
    if (batch.length < 1000) break;
    after = batch[batch.length - 1]!.seq;
  }
  const unreached = checkpoints[next];
  if (unreached) return cut(unreached);
  return report({ ok: true, checked, ...anchored });
}

export interface AuditCheckpointRow {
  siteId: string | null;
  headSeq: string;
  headHash: string;
  records: number;
  at: Date;
}

/**
 * Anchors the head of every audit chain that moved since its last checkpoint (the worker runs this on a
 * schedule and writes each checkpoint to its log as well). System and platform actors only.
 */
export async function checkpointAuditChains(ctx: Ctx): Promise<AuditCheckpointRow[]> {
  if (!isPlatformWide(ctx.actor)) throw new AppError('FORBIDDEN');
  const rows = await ctx.em.execute<
    { site_id: string | null; head_seq: string; head_hash: string; records: string; at: Date }[]
  >('select * from zq_audit_checkpoint(?)', [ctx.now()]);
  return rows.map((r) => ({
    siteId: r.site_id,
    headSeq: String(r.head_seq),
    headHash: r.head_hash,
    records: Number(r.records),
    at: new Date(r.at),
  }));
}

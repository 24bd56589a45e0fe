import { z } from 'zod';
import { timelinessOf } from '../calendar/deadline.policy.ts';
import { Column } from '../columns/column.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { Item, ItemLink, SignOff } from './item.entity.ts';
import { requireSiteForItems } from './item.queries.ts';
import { grantsRoleFor, levelRole, type ReviewLevel } from './review.policy.ts';
import { type ItemView, viewOf } from './item-view.ts';
import { ItemRevision } from './item.entity.ts';

async function internalViews(ctx: Ctx, items: Item[]): Promise<ItemView[]> {
  if (items.length === 0) return [];
  const revs = await ctx.em.find(ItemRevision, { id: { $in: items.map((i) => i.headRevisionId!) } });
  const byId = new Map(revs.map((r) => [r.id, r]));
  return items.map((i) => viewOf(i, byId.get(i.headRevisionId!)!, true));
}

const stateLevel: Record<string, ReviewLevel> = { FIRST_REVIEW: 1, REVIEW: 2, SIGN_OFF: 3 };

/**
 * What waits for me, by level: items at a level whose role I hold for their column, that I have not signed in
 * this cycle, and (levels 2 and 3) did not write myself (created, or revised since the last publication).
 */
export async function reviewQueue(ctx: Ctx, siteCode: string) {
  const site = await requireSiteForItems(ctx, siteCode);
  const actor = ctx.actor;
  const empty = [1, 2, 3].map((level) => ({ level, role: levelRole[level as ReviewLevel], items: [] as ItemView[] }));
  if (actor.kind !== 'user') return empty;
  const waiting = await ctx.em.find(
    Item,
    { siteId: site.id, state: { $in: ['FIRST_REVIEW', 'REVIEW', 'SIGN_OFF'] } },
    { orderBy: { updatedAt: 'asc' } },
  );
  if (waiting.length === 0) return empty;
  const columns = new Map(
    (await ctx.em.find(Column, { id: { $in: [...new Set(waiting.map((i) => i.columnId))] } })).map((c) => [c.id, c]),
  );
  const signed = await ctx.em.find(SignOff, {
    itemId: { $in: waiting.map((i) => i.id) },
    userId: actor.userId,
    decision: 'APPROVED',
    voidedAt: null,
  });
  // The same rule as signOff: authors since the last publication sign level 1 at most (2015 §12).
  const revs = await ctx.em.find(
    ItemRevision,
    { itemId: { $in: waiting.map((i) => i.id) }, createdBy: actor.userId },
    { fields: ['itemId', 'number'] },
  );
  const wrote = (i: Item) =>
    i.createdBy === actor.userId || revs.some((r) => r.itemId === i.id && r.number > (i.publishedNumber ?? 0));
  const mine = waiting.filter((i) => {
    const level = stateLevel[i.state]!;
    if (signed.some((s) => s.itemId === i.id && s.cycle === i.reviewCycle)) return false;
    if (level > 1 && wrote(i)) return false;
    return grantsRoleFor(actor.memberships, site.id, levelRole[level], columns.get(i.columnId)!.path) === 'YES';
  });
  const views = await internalViews(ctx, mine);
  return empty.map((g) => ({ ...g, items: views.filter((v) => stateLevel[v.state] === g.level) }));
}

/** Items past their publishing deadline and still not published (2015 §2, 2017 §1.1). */
export async function overdueItems(ctx: Ctx, siteCode: string): Promise<ItemView[]> {
  const site = await requireSiteForItems(ctx, siteCode);
  const items = await ctx.em.find(
    Item,
    {
      siteId: site.id,
      publishedAt: null,
      deadlineAt: { $lt: ctx.now() },
      state: { $ne: 'WITHDRAWN' },
      sourceId: null,
    },
    { orderBy: { deadlineAt: 'asc' }, limit: 500 },
  );
  return internalViews(ctx, items);
}

const reportInput = z.object({ site: z.string(), from: z.iso.date(), to: z.iso.date() }).refine((r) => r.from <= r.to, {
  message: 'from must not be after to',
  path: ['to'],
});

/**
 * Timeliness over a period: items whose deadline falls in [from, to] (China Standard Time days), counted by
 * outcome. The on-time rate is on-time over everything decided or overdue.
 */
export async function timelinessReport(ctx: Ctx, raw: z.input<typeof reportInput>) {
  const input = parseInput(reportInput, raw);
  const site = await requireSiteForItems(ctx, input.site);
  const start = new Date(`${input.from}T00:00:00+08:00`);
  const end = new Date(new Date(`${input.to}T00:00:00+08:00`).getTime() + 86_400_000);
  const items = await ctx.em.find(
    Item,
    // Imported items (issue 11) were published on the legacy site: they are not judged by the platform's clock.
    { siteId: site.id, deadlineAt: { $gte: start, $lt: end }, state: { $ne: 'WITHDRAWN' }, sourceId: null },
    { fields: ['id', 'deadlineAt', 'publishedAt', 'kind'] },
  );
  const now = ctx.now();
  const counts = { ON_TIME: 0, LATE: 0, OVERDUE: 0, DUE_SOON: 0, PENDING: 0 };
  for (const i of items) {
    const t = timelinessOf({ deadlineAt: i.deadlineAt ?? null, publishedAt: i.publishedAt ?? null }, now);
    counts[t ?? 'PENDING'] += 1;
  }
  const decided = counts.ON_TIME + counts.LATE + counts.OVERDUE;
  return {
    site: site.code,
    from: input.from,
    to: input.to,
    total: items.length,
    onTime: counts.ON_TIME,
    late: counts.LATE,
    overdue: counts.OVERDUE,
    dueSoon: counts.DUE_SOON,
    pending: counts.PENDING,
    onTimeRate: decided === 0 ? null : counts.ON_TIME / decided,
  };
}

/** Published normative documents that still have no published interpretation (检查指标: 政策解读比例). */
export async function policiesWithoutInterpretation(ctx: Ctx, siteCode: string): Promise<ItemView[]> {
  const site = await requireSiteForItems(ctx, siteCode);
  const policies = await ctx.em.find(Item, {
    siteId: site.id,
    kind: 'POLICY_DOCUMENT',
    publishedRevisionId: { $ne: null },
    withdrawnAt: null,
  });
  if (policies.length === 0) return [];
  const links = await ctx.em.find(ItemLink, { policyId: { $in: policies.map((p) => p.id) } });
  const interps = links.length
    ? await ctx.em.find(Item, {
        id: { $in: links.map((l) => l.interpretationId) },
        publishedRevisionId: { $ne: null },
        withdrawnAt: null,
      })
    : [];
  const live = new Set(interps.map((i) => i.id));
  const covered = new Set(links.filter((l) => live.has(l.interpretationId)).map((l) => l.policyId));
  return internalViews(
    ctx,
    policies.filter((p) => !covered.has(p.id)),
  );
}

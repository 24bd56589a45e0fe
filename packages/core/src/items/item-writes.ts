import { recordSlugChange } from '../delivery/redirect.service.ts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { actorLabel } from '../access/actor.ts';
import { loadWorkdayCalendar } from '../calendar/calendar.service.ts';
import { computeDeadline, type DeadlineRule } from '../calendar/deadline.policy.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import { contentHash, type ItemContent } from './item.content.ts';
import { Item, ItemLink, ItemPlacement, ItemRevision, SignOff } from './item.entity.ts';
import { requireColumnOf, requireColumnRole } from './item-access.ts';

/** The publishing deadline from the column's rule (2015 §2: 24 hours for activities, 3 working days for policies). */
export async function deadlineFor(
  ctx: Ctx,
  siteId: string,
  column: Column,
  kind: string,
  content: ItemContent,
): Promise<Date | null> {
  const input = {
    rule: (column.deadlineRule ?? null) as DeadlineRule | null,
    amount: column.deadlineAmount ?? null,
    kind,
    occurredAt: content.occurredAt ? new Date(content.occurredAt) : null,
    endedAt: content.endedAt ? new Date(content.endedAt) : null,
    importantLivelihood: content.importantLivelihood,
    issuedAt: content.issuedAt,
  };
  // The calendar is read only when a working-day rule can apply (policy documents have an issue date).
  const calendar = content.issuedAt
    ? await loadWorkdayCalendar(ctx, siteId)
    : { years: new Set<number>(), off: new Set<string>(), on: new Set<string>() };
  return computeDeadline(input, calendar);
}

/** Small clock skew allowed between an editor's machine and the server. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Dates that drive deadlines cannot be bent (issue 7; 2015 §2): an activity time or a paper issue date in the
 * future would move the deadline out of reach. Only dates given in this save are judged (an old revision
 * restored keeps its dates). An activity cannot end before it starts.
 */
export function checkContentDates(content: ItemContent, patch: Record<string, unknown>, now: Date): void {
  const limit = now.getTime() + CLOCK_SKEW_MS;
  for (const field of ['occurredAt', 'endedAt'] as const) {
    const v = content[field];
    if (patch[field] !== undefined && v && new Date(v).getTime() > limit)
      throw new AppError('DATE_IN_FUTURE', undefined, { field, details: { value: v, now: now.toISOString() } });
  }
  // issuedAt is a China Standard Time calendar date: refused when later than today in China (+ skew).
  const chinaToday = new Date(limit + 8 * 3_600_000).toISOString().slice(0, 10);
  if (patch.issuedAt !== undefined && content.issuedAt && content.issuedAt > chinaToday)
    throw new AppError('DATE_IN_FUTURE', undefined, {
      field: 'issuedAt',
      details: { value: content.issuedAt, today: chinaToday },
    });
  if (content.endedAt && content.occurredAt && content.endedAt < content.occurredAt)
    throw new AppError('INVALID_ACTIVITY_TIME', undefined, { field: 'endedAt' });
}

/**
 * Appends the next immutable revision and makes it the item's head. The revision keeps the deadline its content
 * implies, so that a publication freezes the deadline of what was published (issue 7).
 */
export function addRevision(
  tx: EntityManager,
  ctx: Ctx,
  item: Item,
  content: ItemContent,
  note: string | null | undefined,
  bodyText: string,
  deadlineAt: Date | null,
): ItemRevision {
  const number = item.headNumber + 1;
  const revision = tx.create(ItemRevision, {
    id: randomUUID(),
    itemId: item.id,
    siteId: item.siteId,
    number,
    content: content as unknown as Record<string, unknown>,
    bodyText,
    deadlineAt,
    contentHash: contentHash(content),
    createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    createdByName: actorLabel(ctx.actor).name,
    createdAt: ctx.now(),
    note: note ?? null,
  });
  item.headRevisionId = revision.id;
  item.headNumber = number;
  item.title = content.title;
  item.occurredAt = content.occurredAt ? new Date(content.occurredAt) : null;
  item.issuedAt = content.issuedAt;
  item.updatedAt = ctx.now();
  return revision;
}

/** 一事一审: any edit after a sign-off voids this cycle's sign-offs; the review starts again from level 1. */
export async function voidSignOffs(tx: EntityManager, item: Item, now: Date, reason: string): Promise<number> {
  return tx.nativeUpdate(
    SignOff,
    { itemId: item.id, cycle: item.reviewCycle, voidedAt: null },
    { voidedAt: now, voidReason: reason },
  );
}

/**
 * The `alsoIn` columns as sorted ids, leaving out the home column. Column limits apply to every placement
 * (issue 7): a column newly added must be in the actor's reach with one of `roles`, like the home column.
 */
export async function resolvePlacements(
  ctx: Ctx,
  siteId: string,
  homeColumnId: string,
  refs: string[],
  current: string[],
  roles: SiteRole[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (const ref of refs) {
    const c = await requireColumnOf(ctx, siteId, ref, 'alsoIn');
    if (c.id === homeColumnId) continue;
    if (!current.includes(c.id)) requireColumnRole(ctx, siteId, c.path, roles);
    ids.add(c.id);
  }
  return [...ids].sort();
}

/** The non-home placements an item has now (the public ones, for a live item). */
export async function currentPlacements(tx: EntityManager, itemId: string): Promise<string[]> {
  const rows = await tx.find(ItemPlacement, { itemId, home: false }, { fields: ['columnId'] });
  return rows.map((p) => p.columnId).sort();
}

/** Replaces the non-home placements with the given column ids (already resolved within the item's site). */
export async function setPlacements(tx: EntityManager, ctx: Ctx, item: Item, columnIds: string[]): Promise<void> {
  await tx.nativeDelete(ItemPlacement, { itemId: item.id, home: false });
  const live = !!item.publishedRevisionId && item.state !== 'WITHDRAWN';
  for (const columnId of columnIds) {
    if (columnId === item.columnId) continue;
    tx.create(ItemPlacement, {
      itemId: item.id,
      columnId,
      siteId: item.siteId,
      itemSiteId: item.siteId,
      home: false,
      live,
      publishedAt: item.publishedAt ?? null,
      createdAt: ctx.now(),
    });
  }
}

/** Links an interpretation to the policy documents it explains (same site; readable from both sides). */
export async function setInterpretedPolicies(
  tx: EntityManager,
  ctx: Ctx,
  item: Item,
  policyIds: string[],
): Promise<void> {
  if (item.kind !== 'INTERPRETATION') {
    throw new AppError('INVALID_INPUT', 'Only interpretations interpret policy documents', { field: 'interprets' });
  }
  const unique = [...new Set(policyIds)];
  const found = unique.length
    ? await tx.find(Item, { id: { $in: unique }, siteId: item.siteId, kind: 'POLICY_DOCUMENT' })
    : [];
  if (found.length !== unique.length) {
    throw new AppError('NOT_FOUND', 'A linked policy document was not found in this site', { field: 'interprets' });
  }
  await tx.nativeDelete(ItemLink, { interpretationId: item.id });
  for (const policyId of unique)
    tx.create(ItemLink, { interpretationId: item.id, policyId, siteId: item.siteId, createdAt: ctx.now() });
}

/**
 * At publication the published revision's slug and placements become the public ones (2015 §12: where an item
 * is shown is signed with it). Returns what changed, for the audit record. Revisions saved before migration
 * 0006 carry neither and change nothing.
 */
export async function applyRevisionPlacement(
  tx: EntityManager,
  ctx: Ctx,
  it: Item,
  content: ItemContent,
): Promise<Record<string, unknown>> {
  const changes: Record<string, unknown> = {};
  if (content.slug && content.slug !== it.slug) {
    changes.slug = [it.slug, content.slug];
    // The old public address keeps working as a 301 (issue 12: URLs are cited in official documents).
    if (it.publishedRevisionId) await recordSlugChange(tx, it, ctx.now());
    it.slug = content.slug;
  }
  if (content.alsoIn) {
    const now = await currentPlacements(tx, it.id);
    const pending = await resolvePendingPlacements(tx, it, content.alsoIn, now);
    // Defensive: level 3 and the scheduled job refuse this first (a column closed in between cannot be applied).
    if (pending.closed.length) throw placementClosedError(pending.closed);
    if (pending.redirected.length) changes.placementsRedirected = pending.redirected;
    if (JSON.stringify(now) !== JSON.stringify(pending.ids)) {
      changes.alsoIn = [now, pending.ids];
      await setPlacements(tx, ctx, it, pending.ids);
    }
  }
  return changes;
}

export interface PendingPlacements {
  /** The column ids to place the item in, sorted: merged columns replaced by where they were merged into. */
  ids: string[];
  /** Pending placements into a column merged meanwhile, moved to its merge target (audited). */
  redirected: { from: string; to: string }[];
  /** Paths of columns closed meanwhile that the pending version newly places the item in. */
  closed: string[];
}

/**
 * A placement waiting in the working version (issue 7: on a live item an `alsoIn` change waits until signed) may
 * name a column that was closed or merged since it was saved. What a reviewer signed is "show it there too":
 * - merged (2015 §14: its content now lives in the target) → the placement follows its items to the merge
 *   target, as mergeColumn moved every existing placement; recorded in the publication's audit record;
 * - closed → nothing may be newly published there: level 3 is refused with PLACEMENT_COLUMN_CLOSED naming the
 *   columns (the editor removes them, which is a new revision to sign). A placement the item already had in a
 *   column closed later stays as it is (hidden with the column, like every item of it).
 */
export async function resolvePendingPlacements(
  em: EntityManager,
  it: Item,
  alsoIn: string[],
  current: string[],
): Promise<PendingPlacements> {
  const out: PendingPlacements = { ids: [], redirected: [], closed: [] };
  if (alsoIn.length === 0) return out;
  const columns = new Map((await em.find(Column, { siteId: it.siteId })).map((c) => [c.id, c]));
  const ids = new Set<string>();
  for (const id of alsoIn) {
    let c = columns.get(id);
    const seen = new Set<string>();
    while (c && c.status === 'MERGED' && c.mergedIntoId && !seen.has(c.id)) {
      seen.add(c.id);
      c = columns.get(c.mergedIntoId);
    }
    if (!c) continue;
    if (c.id !== id && !current.includes(c.id)) out.redirected.push({ from: columns.get(id)!.path, to: c.path });
    if (c.status !== 'OPEN' && !current.includes(c.id)) {
      out.closed.push(c.path);
      continue;
    }
    if (c.id !== it.columnId) ids.add(c.id);
  }
  out.ids = [...ids].sort();
  return out;
}

export const placementClosedError = (paths: string[]) =>
  new AppError('PLACEMENT_COLUMN_CLOSED', `Placed in closed column(s): ${paths.join(', ')}`, {
    field: 'alsoIn',
    details: { columns: paths },
  });

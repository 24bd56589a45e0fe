import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { actorLabel } from '../access/actor.ts';
import { loadWorkdayCalendar } from '../calendar/calendar.service.ts';
import { computeDeadline, type DeadlineRule } from '../calendar/deadline.policy.ts';
import type { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { contentHash, type ItemContent, plainText } from './item.content.ts';
import { Item, ItemLink, ItemPlacement, ItemRevision, SignOff } from './item.entity.ts';
import { requireColumnOf } from './item-access.ts';

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
    issuedAt: content.issuedAt,
  };
  // The calendar is read only when a working-day rule can apply (policy documents have an issue date).
  const calendar = content.issuedAt
    ? await loadWorkdayCalendar(ctx, siteId)
    : { years: new Set<number>(), off: new Set<string>(), on: new Set<string>() };
  return computeDeadline(input, calendar);
}

/** Appends the next immutable revision and makes it the item's head. */
export function addRevision(
  tx: EntityManager,
  ctx: Ctx,
  item: Item,
  content: ItemContent,
  note: string | null | undefined,
): ItemRevision {
  const number = item.headNumber + 1;
  const revision = tx.create(ItemRevision, {
    id: randomUUID(),
    itemId: item.id,
    siteId: item.siteId,
    number,
    content: content as unknown as Record<string, unknown>,
    bodyText: plainText(content.body),
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

/** Replaces the non-home placements with the given columns of the same site. */
export async function setPlacements(tx: EntityManager, ctx: Ctx, item: Item, refs: string[]): Promise<void> {
  const columns = [];
  for (const ref of refs) columns.push(await requireColumnOf(ctx, item.siteId, ref, 'alsoIn'));
  await tx.nativeDelete(ItemPlacement, { itemId: item.id, home: false });
  const live = !!item.publishedRevisionId && item.state !== 'WITHDRAWN';
  for (const c of columns) {
    if (c.id === item.columnId) continue;
    tx.create(ItemPlacement, {
      itemId: item.id,
      columnId: c.id,
      siteId: c.siteId,
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

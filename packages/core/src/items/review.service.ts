import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { appendAudit } from '../audit/audit.service.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { Site } from '../sites/site.entity.ts';
import type { ItemContent } from './item.content.ts';
import { Item, ItemLink, ItemPlacement, ItemRevision, SignOff } from './item.entity.ts';
import { bodyImagesWithoutAlt } from './html-port.ts';
import { loadItemForWork, requireColumnRole } from './item-access.ts';
import {
  applyRevisionPlacement,
  currentPlacements,
  placementClosedError,
  resolvePendingPlacements,
  voidSignOffs,
} from './item-writes.ts';
import { recordSearchChanges } from '../search/search-outbox.ts';
import { recordWebhookEvent } from '../webhooks/webhook-events.ts';
import { refreshListings } from './item-listing.ts';
import { assertPublishable } from './prepublish.policy.ts';
import type { DeadlineRule } from '../calendar/deadline.policy.ts';
import { prepublishMedia } from '../media/media-refs.ts';
import {
  checkSigner,
  checkSubmittable,
  levelRole,
  pendingLevel,
  type ReviewLevel,
  stateAfterApproval,
} from './review.policy.ts';

/** Submitting a draft opens a new review cycle at level 1 (初审). */
export async function submitItem(ctx: Ctx, id: string): Promise<Item> {
  const { item, column } = await loadItemForWork(ctx, id);
  requireColumnRole(ctx, item.siteId, column.path, ['EDITOR']);
  checkSubmittable(item.state);
  return ctx.em.transactional(async (tx) => {
    const it = await tx.findOneOrFail(Item, { id: item.id });
    it.state = 'FIRST_REVIEW';
    it.reviewCycle += 1;
    it.updatedAt = ctx.now();
    tx.persist(it);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: it.siteId,
      action: 'item.submit',
      targetType: 'Item',
      targetId: it.id,
      changes: { cycle: it.reviewCycle, revision: it.headNumber },
    });
    return it;
  });
}

const signOffInput = z.object({
  id: z.uuid(),
  /** The level the signer means to sign; refused if the item waits for another. */
  level: z.number().int().min(1).max(3).nullish(),
  opinion: z.string().trim().max(2000).nullish(),
  /** Level 3 only: publish at this future time instead of now. */
  publishAt: z.coerce.date().nullish(),
  /** Level 3 only: confirms that personal data in the item is meant to be published, and why. */
  personalDataReason: z.string().trim().max(500).nullish(),
});
export type SignOffInput = z.input<typeof signOffInput>;

/**
 * 2015 §12 谁审查谁负责 — nobody approves their own words: the item's creator and everyone who wrote a revision
 * since the last publication may sign level 1 at most (issue 7: an approver who rewrote the body signed it).
 */
export async function writersSincePublication(ctx: Ctx, item: Item): Promise<string[]> {
  const revs = await ctx.em.find(
    ItemRevision,
    { itemId: item.id, number: { $gt: item.publishedNumber ?? 0 } },
    { fields: ['createdBy'] },
  );
  const ids = new Set<string>(item.createdBy ? [item.createdBy] : []);
  for (const r of revs) if (r.createdBy) ids.add(r.createdBy);
  return [...ids];
}

/** The signer: a person (never a token) with the level's role on the item's site and column. */
function requireSigner(ctx: Ctx, item: Item, column: Column, level: ReviewLevel) {
  if (ctx.actor.kind !== 'user')
    throw new AppError(ctx.actor.kind === 'apiToken' ? 'API_TOKEN_SCOPE' : 'UNAUTHENTICATED');
  try {
    requireColumnRole(ctx, item.siteId, column.path, [levelRole[level]]);
  } catch (e) {
    if (e instanceof AppError && e.reason === 'FORBIDDEN') {
      throw new AppError(
        'REVIEW_ROLE_REQUIRED',
        `Level ${level} is signed by a ${levelRole[level]} of this site and column`,
      );
    }
    throw e;
  }
  return ctx.actor;
}

/**
 * Signs the level the item waits for. Three different people sign the three levels; each sign-off records the
 * person, role, time, opinion and the hash of the revision signed. Level 3 runs the pre-publish checks and
 * publishes now or at the scheduled time.
 */
export async function signOff(ctx: Ctx, raw: SignOffInput): Promise<Item> {
  const input = parseInput(signOffInput, raw);
  const { item, column } = await loadItemForWork(ctx, input.id);
  const level = pendingLevel(item.state);
  if (input.level && input.level !== level) {
    throw new AppError('INVALID_ITEM_STATE', `The item waits for level ${level}, not ${input.level}`, {
      field: 'level',
    });
  }
  const signer = requireSigner(ctx, item, column, level);
  const now = ctx.now();
  if (input.publishAt && level !== 3)
    throw new AppError('INVALID_INPUT', 'Only the third level schedules publication', { field: 'publishAt' });
  if (input.publishAt && input.publishAt.getTime() <= now.getTime() + 60_000)
    throw new AppError('PUBLISH_TIME_IN_PAST', undefined, { field: 'publishAt' });
  const signed = await ctx.em.find(SignOff, {
    itemId: item.id,
    cycle: item.reviewCycle,
    decision: 'APPROVED',
    voidedAt: null,
  });
  checkSigner({
    level,
    signerId: signer.userId,
    authorIds: await writersSincePublication(ctx, item),
    signedThisCycle: signed.map((s) => s.userId),
  });
  const head = await ctx.em.findOneOrFail(ItemRevision, { id: item.headRevisionId! });
  if (level === 3) {
    const interpreted =
      item.kind === 'INTERPRETATION' ? await ctx.em.count(ItemLink, { interpretationId: item.id }) : 0;
    const content = head.content as unknown as ItemContent;
    assertPublishable({
      kind: item.kind,
      content,
      columnStatus: column.status,
      deadlineRule: (column.deadlineRule ?? null) as DeadlineRule | null,
      interpretedPolicies: interpreted,
      personalDataReason: input.personalDataReason,
      media: await prepublishMedia(ctx, head.content as unknown as ItemContent),
      bodyText: head.bodyText,
      // Parsing a large body is heavy HTML work: off the event loop like at save time.
      bodyImagesWithoutAlt: await bodyImagesWithoutAlt(ctx, content.body),
    });
    await assertPlacementsOpen(ctx.em, item, content);
  }
  const published = await ctx.em.transactional(async (tx) => {
    const it = await tx.findOneOrFail(Item, { id: item.id });
    if (it.state !== item.state || it.headRevisionId !== head.id)
      throw new AppError('CONFLICT', 'The item changed meanwhile; reload and sign again');
    tx.create(SignOff, {
      id: randomUUID(),
      itemId: it.id,
      siteId: it.siteId,
      cycle: it.reviewCycle,
      level,
      decision: 'APPROVED',
      userId: signer.userId,
      userName: signer.name,
      role: levelRole[level],
      opinion: input.opinion ?? null,
      revisionId: head.id,
      revisionNumber: head.number,
      revisionHash: head.contentHash,
      personalDataReason: input.personalDataReason ?? null,
      signedAt: now,
      voidedAt: null,
      voidReason: null,
    });
    await appendAudit(tx, ctx, {
      siteId: it.siteId,
      action: 'item.signOff',
      targetType: 'Item',
      targetId: it.id,
      changes: {
        level,
        role: levelRole[level],
        opinion: input.opinion ?? null,
        revision: head.number,
        hash: head.contentHash,
        personalDataReason: input.personalDataReason ?? null,
      },
    });
    const next = stateAfterApproval(level);
    if (next === 'PUBLISHED' && input.publishAt) {
      it.state = 'SCHEDULED';
      it.scheduledAt = input.publishAt;
    } else if (next === 'PUBLISHED') {
      await publishInTx(tx, ctx, it);
    } else {
      it.state = next;
    }
    it.updatedAt = now;
    tx.persist(it);
    await tx.flush();
    return it;
  });
  if (published.state === 'SCHEDULED') await ctx.jobs?.schedulePublication(published.id, published.scheduledAt!);
  return published;
}

/** 索引号 {organisation code}/{year}-{5-digit sequence}, allocated atomically per organisation and year. */
async function allocateIndexNumber(tx: EntityManager, site: Site, year: number): Promise<string> {
  const [row] = await tx.execute<{ last: number }[]>(
    `insert into index_number_sequence (site_id, year, last) values (?, ?, 1)
     on conflict (site_id, year) do update set last = index_number_sequence.last + 1 returning last`,
    [site.id, year],
  );
  return `${site.organisationCode ?? site.siteIdCode}/${year}-${String(row!.last).padStart(5, '0')}`;
}

/**
 * Makes the head revision the live one. publishedAt is the server's clock at this moment, set once, never
 * earlier and never through the API (a backdated publishing date is a national veto item, 2019 检查指标).
 */
async function publishInTx(tx: EntityManager, ctx: Ctx, it: Item): Promise<void> {
  const now = ctx.now();
  const revision = await tx.findOneOrFail(ItemRevision, { id: it.headRevisionId! });
  // Issue 7: the deadline (and so the timeliness) of a publication is the published revision's, frozen here;
  // a later draft edit cannot move it, only a later publication — signed at three levels and audited.
  const deadlineBefore = it.deadlineAt?.toISOString() ?? null;
  it.deadlineAt = revision.deadlineAt ?? null;
  const deadlineAfter = it.deadlineAt?.toISOString() ?? null;
  // A new version of what the public already sees is an update; anything else (first time, after a withdrawal)
  // is a publication (webhooks).
  const wasLive = it.publishedRevisionId !== null && it.publishedRevisionId !== undefined && !it.withdrawnAt;
  it.state = 'PUBLISHED';
  it.publishedRevisionId = it.headRevisionId;
  it.publishedNumber = it.headNumber;
  it.publishedAt ??= now;
  it.lastPublishedAt = now;
  it.scheduledAt = null;
  it.withdrawnAt = null;
  if (it.translationOfId) {
    // A translation published now is in step with its source's current version (2015 §8).
    const source = await tx.findOne(Item, { id: it.translationOfId });
    if (source) it.translationSourceNumber = source.publishedNumber ?? source.headNumber;
  }
  it.withdrawnReason = null;
  if (it.kind === 'POLICY_DOCUMENT' && !it.indexNumber) {
    const site = await tx.findOneOrFail(Site, { id: it.siteId });
    it.indexNumber = await allocateIndexNumber(tx, site, Number(it.publishedAt.toISOString().slice(0, 4)));
  }
  const placement = await applyRevisionPlacement(tx, ctx, it, revision.content as unknown as ItemContent);
  await tx.nativeUpdate(ItemPlacement, { itemId: it.id }, { live: true, publishedAt: it.publishedAt });
  await recordSearchChanges(tx, [it], 'publish');
  await refreshListings(tx, [it.id]); // issue 10: the lists show it from this commit on
  await recordWebhookEvent(
    tx,
    it.siteId,
    wasLive ? 'item.updated' : 'item.published',
    {
      site: ctx.directory.byId(it.siteId)?.code ?? null,
      item: {
        id: it.id,
        kind: it.kind,
        locale: it.locale,
        slug: it.slug,
        columnId: it.columnId,
        title: (revision.content as { title?: string }).title ?? null,
        revision: it.publishedNumber,
        publishedAt: it.publishedAt.toISOString(),
      },
    },
    now,
  );
  await appendAudit(tx, ctx, {
    siteId: it.siteId,
    action: 'item.publish',
    targetType: 'Item',
    targetId: it.id,
    changes: {
      revision: it.headNumber,
      publishedAt: it.publishedAt.toISOString(),
      indexNumber: it.indexNumber ?? null,
      deadlineAt: deadlineAfter,
      ...(deadlineBefore !== deadlineAfter ? { deadlineChanged: [deadlineBefore, deadlineAfter] } : {}),
      ...placement,
    },
  });
}

/** Voids the level-3 sign-off of a scheduled item that can no longer be published as signed; audited. */
async function cancelSchedule(
  tx: EntityManager,
  ctx: Ctx,
  it: Item,
  voidReason: string,
  changes: Record<string, unknown>,
): Promise<void> {
  await tx.nativeUpdate(
    SignOff,
    { itemId: it.id, cycle: it.reviewCycle, level: 3, voidedAt: null },
    { voidedAt: ctx.now(), voidReason },
  );
  it.state = 'SIGN_OFF';
  it.scheduledAt = null;
  it.updatedAt = ctx.now();
  tx.persist(it);
  await tx.flush();
  await appendAudit(tx, ctx, {
    siteId: it.siteId,
    action: 'item.scheduleCancelled',
    targetType: 'Item',
    targetId: it.id,
    changes,
  });
}

/** Level 3 refuses a version that newly places the item in a column closed since it was saved (issue 7). */
async function assertPlacementsOpen(em: EntityManager, item: Item, content: ItemContent): Promise<void> {
  if (!content.alsoIn?.length) return;
  const pending = await resolvePendingPlacements(em, item, content.alsoIn, await currentPlacements(em, item.id));
  if (pending.closed.length) throw placementClosedError(pending.closed);
}

/** Publishes a scheduled item whose time has come (the job, and the sweep that backs it up after a restart). */
export async function publishScheduled(ctx: Ctx, itemId: string): Promise<boolean> {
  await ctx.directory.fresh();
  return ctx.em.transactional(async (tx) => {
    const it = await tx.findOne(Item, { id: itemId, state: 'SCHEDULED' }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
    if (!it || !it.scheduledAt || it.scheduledAt.getTime() > ctx.now().getTime()) return false;
    // 2015 §14: nothing more is published in a column closed or merged since the sign-off; the approver decides again.
    const column = await tx.findOneOrFail(Column, { id: it.columnId });
    if (column.status !== 'OPEN') {
      await cancelSchedule(tx, ctx, it, `column ${column.status} before the scheduled time`, {
        reason: 'COLUMN_CLOSED',
        column: column.path,
        status: column.status,
      });
      return false;
    }
    // Likewise for a pending placement into a column closed since the sign-off (a merged one follows its target).
    const revision = await tx.findOneOrFail(ItemRevision, { id: it.headRevisionId! });
    const alsoIn = (revision.content as unknown as ItemContent).alsoIn ?? [];
    const pending = await resolvePendingPlacements(tx, it, alsoIn, await currentPlacements(tx, it.id));
    if (pending.closed.length) {
      await cancelSchedule(tx, ctx, it, `placement column closed before the scheduled time`, {
        reason: 'PLACEMENT_COLUMN_CLOSED',
        columns: pending.closed,
      });
      return false;
    }
    await publishInTx(tx, ctx, it);
    tx.persist(it);
    await tx.flush();
    return true;
  });
}

export async function publishDueItems(ctx: Ctx): Promise<number> {
  await ctx.directory.fresh();
  const due = await ctx.em.find(
    Item,
    { state: 'SCHEDULED', scheduledAt: { $lte: ctx.now() } },
    { fields: ['id'], limit: 500 },
  );
  let n = 0;
  for (const it of due) if (await publishScheduled(ctx, it.id)) n += 1;
  return n;
}

const rejectInput = z.object({ id: z.uuid(), opinion: z.string().trim().max(2000).nullish() });

/** Rejecting at any level needs an opinion; the item returns to draft and this cycle's sign-offs are void. */
export async function rejectItem(ctx: Ctx, raw: z.input<typeof rejectInput>): Promise<Item> {
  const input = parseInput(rejectInput, raw);
  const { item, column } = await loadItemForWork(ctx, input.id);
  const level: ReviewLevel = item.state === 'SCHEDULED' ? 3 : pendingLevel(item.state);
  const signer = requireSigner(ctx, item, column, level);
  if (!input.opinion) throw new AppError('OPINION_REQUIRED', undefined, { field: 'opinion' });
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const it = await tx.findOneOrFail(Item, { id: item.id });
    await voidSignOffs(tx, it, now, `rejected at level ${level}`);
    tx.create(SignOff, {
      id: randomUUID(),
      itemId: it.id,
      siteId: it.siteId,
      cycle: it.reviewCycle,
      level,
      decision: 'REJECTED',
      userId: signer.userId,
      userName: signer.name,
      role: levelRole[level],
      opinion: input.opinion!,
      revisionId: it.headRevisionId!,
      revisionNumber: it.headNumber,
      revisionHash: (await tx.findOneOrFail(ItemRevision, { id: it.headRevisionId! })).contentHash,
      personalDataReason: null,
      signedAt: now,
      voidedAt: null,
      voidReason: null,
    });
    it.state = 'DRAFT';
    it.scheduledAt = null;
    it.updatedAt = now;
    tx.persist(it);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: it.siteId,
      action: 'item.reject',
      targetType: 'Item',
      targetId: it.id,
      changes: { level, opinion: input.opinion },
    });
    return it;
  });
}

const withdrawInput = z.object({ id: z.uuid(), reason: z.string().trim().max(2000).nullish() });

/** 撤稿: a published item leaves the public site; the record, its versions and its sign-offs stay. */
export async function withdrawItem(ctx: Ctx, raw: z.input<typeof withdrawInput>): Promise<Item> {
  const input = parseInput(withdrawInput, raw);
  const { item, column } = await loadItemForWork(ctx, input.id);
  requireColumnRole(ctx, item.siteId, column.path, ['APPROVER']);
  if (!input.reason) throw new AppError('REASON_REQUIRED', 'Withdrawing needs a reason', { field: 'reason' });
  if (!item.publishedRevisionId || item.withdrawnAt)
    throw new AppError('INVALID_ITEM_STATE', 'Only a published item can be withdrawn');
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const it = await tx.findOneOrFail(Item, { id: item.id });
    await voidSignOffs(tx, it, now, 'withdrawn');
    it.state = 'WITHDRAWN';
    it.withdrawnAt = now;
    it.withdrawnReason = input.reason!;
    it.scheduledAt = null;
    it.updatedAt = now;
    tx.persist(it);
    await tx.nativeUpdate(ItemPlacement, { itemId: it.id }, { live: false });
    await recordSearchChanges(tx, [it], 'withdraw');
    await refreshListings(tx, [it.id]);
    await recordWebhookEvent(
      tx,
      it.siteId,
      'item.withdrawn',
      {
        site: ctx.directory.byId(it.siteId)?.code ?? null,
        item: { id: it.id, kind: it.kind, locale: it.locale, slug: it.slug, columnId: it.columnId },
        withdrawnAt: now.toISOString(),
      },
      now,
    );
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: it.siteId,
      action: 'item.withdraw',
      targetType: 'Item',
      targetId: it.id,
      changes: { reason: input.reason },
    });
    return it;
  });
}

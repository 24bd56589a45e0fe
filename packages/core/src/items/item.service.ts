import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { parseInput } from '../shared/validation.ts';
import { requireSiteByCode, assertWritable } from '../sites/site-lookup.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import { prepareItemBody } from './html-port.ts';
import { contentHash, type ItemContent, normaliseContent } from './item.content.ts';
import { Item, ItemPlacement, ItemRevision, type ItemState, noProvenance } from './item.entity.ts';
import { type CreateItemInput, createItemInput, type UpdateItemInput, updateItemInput } from './item.inputs.ts';
import { loadItemForWork, requireColumnOf, requireColumnRole } from './item-access.ts';
import {
  addRevision,
  checkContentDates,
  currentPlacements,
  deadlineFor,
  resolvePlacements,
  setInterpretedPolicies,
  setPlacements,
  voidSignOffs,
} from './item-writes.ts';
import { REVIEW_STATES } from './review.policy.ts';
import { isLive } from './item-view.ts';
import { linkRevisionMedia, resolveContentMedia } from '../media/media-refs.ts';
import { recordSlugChange } from '../delivery/redirect.service.ts';

const itemConflicts = {
  item_site_id_column_id_slug_locale_key: {
    field: 'slug',
    message: 'Another item of this column already uses this slug',
  },
};

const CONTENT_KEYS = [
  'title',
  'subtitle',
  'summary',
  'body',
  'source',
  'author',
  'keywords',
  'occurredAt',
  'endedAt',
  'importantLivelihood',
  'attachments',
  'images',
  'docNumber',
  'issuingBody',
  'writtenAt',
  'issuedAt',
  'validity',
  'supersededById',
  'topic',
] as const;

/** Where the item is shown: reviewed with the content (2015 §12), so saved in the revision too. */
const PLACEMENT_KEYS = ['slug', 'alsoIn'] as const;

function contentPatch(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(CONTENT_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
}

/** Checks and sanitises a new body off the event loop (ADR 0010); null when the body is not being set. */
async function preparedBody(ctx: Ctx, body: string | null | undefined) {
  return typeof body === 'string' ? prepareItemBody(ctx, body) : null;
}

/** Creates a draft in its home column; the first revision is saved with it. */
export async function createItem(ctx: Ctx, raw: CreateItemInput): Promise<Item> {
  const input = parseInput(createItemInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  assertWritable(site);
  const column = await requireColumnOf(ctx, site.id, input.column);
  requireColumnRole(ctx, site.id, column.path, ['EDITOR']);
  if (column.status !== 'OPEN') throw new AppError('COLUMN_CLOSED', undefined, { field: 'column' });
  const id = randomUUID();
  const patch = contentPatch(input);
  const body = await preparedBody(ctx, input.body);
  const alsoIn = input.alsoIn?.length
    ? await resolvePlacements(ctx, site.id, column.id, input.alsoIn, [], ['EDITOR'])
    : [];
  const content = await resolveContentMedia(
    ctx,
    site.id,
    normaliseContent(null, { ...patch, slug: input.slug ?? id.slice(0, 8), alsoIn }, body?.body),
  );
  checkContentDates(content, patch, ctx.now());
  const source = input.translationOf ? await ctx.em.findOne(Item, { id: input.translationOf, siteId: site.id }) : null;
  if (input.translationOf && !source)
    throw new AppError('NOT_FOUND', 'The item translated was not found in this site', { field: 'translationOf' });
  const deadlineAt = await deadlineFor(ctx, site.id, column, input.kind, content);
  const now = ctx.now();
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const item = tx.create(Item, {
          id,
          siteId: site.id,
          columnId: column.id,
          kind: input.kind,
          state: 'DRAFT',
          locale: input.locale,
          translationGroupId: source?.translationGroupId ?? id,
          translationOfId: source?.id ?? null,
          translationSourceNumber: source ? (source.publishedNumber ?? source.headNumber) : null,
          slug: content.slug!,
          title: content.title,
          headRevisionId: null,
          headNumber: 0,
          publishedRevisionId: null,
          publishedNumber: null,
          publishedAt: null,
          lastPublishedAt: null,
          scheduledAt: null,
          reviewCycle: 0,
          occurredAt: null,
          issuedAt: null,
          deadlineAt,
          indexNumber: null,
          withdrawnAt: null,
          withdrawnReason: null,
          createdBy: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
          createdAt: now,
          updatedAt: now,
          ...noProvenance,
        });
        await tx.flush();
        const revision = addRevision(tx, ctx, item, content, input.note, body?.text ?? '', deadlineAt);
        tx.create(ItemPlacement, {
          itemId: id,
          columnId: column.id,
          siteId: site.id,
          itemSiteId: site.id,
          home: true,
          live: false,
          publishedAt: null,
          createdAt: now,
        });
        await tx.flush();
        await linkRevisionMedia(tx, revision, content);
        if (alsoIn.length) await setPlacements(tx, ctx, item, alsoIn);
        if (input.interprets?.length) await setInterpretedPolicies(tx, ctx, item, input.interprets);
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: 'item.create',
          targetType: 'Item',
          targetId: id,
          changes: {
            kind: item.kind,
            column: column.path,
            title: content.title,
            revision: 1,
            hash: contentHash(content),
          },
        });
        return item;
      }),
    itemConflicts,
  );
}

/**
 * Saves a new revision. After any sign-off the review starts again (一事一审): sign-offs are voided and the item
 * returns to draft. A published item stays live with its published version until the new one is signed — its
 * slug and placements included (2015 §12 谁审查谁负责: where an item is shown is part of what is approved).
 */
export async function updateItem(ctx: Ctx, raw: UpdateItemInput): Promise<Item> {
  const input = parseInput(updateItemInput, raw);
  const { item, column } = await loadItemForWork(ctx, input.id);
  const roles: SiteRole[] = ['EDITOR', 'REVIEWER', 'APPROVER'];
  requireColumnRole(ctx, item.siteId, column.path, roles);
  if (input.baseRevision && input.baseRevision !== item.headNumber) {
    throw new AppError('CONFLICT', `The item changed since revision ${input.baseRevision} (now ${item.headNumber})`, {
      field: 'baseRevision',
    });
  }
  const head = await ctx.em.findOneOrFail(ItemRevision, { id: item.headRevisionId! });
  const placed = await currentPlacements(ctx.em, item.id);
  // Revisions saved before migration 0006 lack the newer keys: they held what the item row and placements say.
  const stored = head.content as unknown as ItemContent;
  const prev: ItemContent = {
    ...stored,
    slug: stored.slug ?? item.slug,
    alsoIn: stored.alsoIn ?? placed,
    endedAt: stored.endedAt ?? null,
    importantLivelihood: stored.importantLivelihood ?? null,
  };
  const patch = contentPatch(input);
  const body = await preparedBody(ctx, input.body);
  if (input.slug) patch.slug = input.slug;
  if (input.alsoIn) {
    const known = [...new Set([...placed, ...(prev.alsoIn ?? [])])];
    patch.alsoIn = await resolvePlacements(ctx, item.siteId, item.columnId, input.alsoIn, known, roles);
  }
  const content = await resolveContentMedia(ctx, item.siteId, normaliseContent(prev, patch, body?.body));
  const now = ctx.now();
  checkContentDates(content, patch, now);
  const changed = [...CONTENT_KEYS, ...PLACEMENT_KEYS].filter(
    (k) => JSON.stringify(content[k] ?? null) !== JSON.stringify(prev[k] ?? null),
  );
  if (changed.includes('slug')) await assertSlugFree(ctx, item, content.slug!);
  const deadlineAt = await deadlineFor(ctx, item.siteId, column, item.kind, content);
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const it = await tx.findOneOrFail(Item, { id: item.id });
        const from: ItemState = it.state;
        const live = isLive(it);
        if (changed.length > 0) {
          const revision = addRevision(tx, ctx, it, content, input.note, body?.text ?? head.bodyText, deadlineAt);
          await tx.flush();
          await linkRevisionMedia(tx, revision, content);
          // A publication's deadline is frozen (issue 7): only a never-published item follows its working version.
          if (!it.publishedRevisionId) it.deadlineAt = deadlineAt;
          const voided =
            (REVIEW_STATES as string[]).concat('SCHEDULED').includes(it.state) ||
            it.state === 'PUBLISHED' ||
            it.state === 'WITHDRAWN';
          if (voided) {
            await voidSignOffs(tx, it, now, 'edited after sign-off');
            it.state = 'DRAFT';
            it.scheduledAt = null;
          }
        }
        // Nothing public yet: the slug and placements follow the working version at once. A live item keeps
        // its public ones until the new revision is signed at level 3 (publishInTx applies them).
        if (!live && content.slug && content.slug !== it.slug && it.publishedRevisionId) {
          // A withdrawn item's old address was public: it keeps answering (issue 12, URLs are cited).
          await recordSlugChange(tx, it, ctx.now());
        }
        if (!live && content.slug) it.slug = content.slug;
        it.updatedAt = now;
        tx.persist(it);
        await tx.flush();
        if (!live && changed.includes('alsoIn')) await setPlacements(tx, ctx, it, content.alsoIn ?? []);
        if (input.interprets) await setInterpretedPolicies(tx, ctx, it, input.interprets);
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: it.siteId,
          action: 'item.update',
          targetType: 'Item',
          targetId: it.id,
          changes: {
            fields: changed,
            revision: it.headNumber,
            state: from === it.state ? it.state : [from, it.state],
            ...(live && changed.some((k) => (PLACEMENT_KEYS as readonly string[]).includes(k))
              ? { pendingPlacement: { slug: content.slug, alsoIn: content.alsoIn } }
              : {}),
          },
        });
        return it;
      }),
    itemConflicts,
  );
}

/** A slug is unique per column and language; checked before a live item's new slug waits for review. */
async function assertSlugFree(ctx: Ctx, item: Item, slug: string): Promise<void> {
  const taken = await ctx.em.count(Item, {
    siteId: item.siteId,
    columnId: item.columnId,
    locale: item.locale,
    slug,
    id: { $ne: item.id },
  });
  if (taken > 0)
    throw new AppError('CONFLICT', itemConflicts.item_site_id_column_id_slug_locale_key.message, { field: 'slug' });
}

/** Restores an earlier revision as a new draft revision (history is never rewritten). */
export async function restoreRevision(ctx: Ctx, itemId: string, number: number): Promise<Item> {
  const { item } = await loadItemForWork(ctx, itemId);
  const rev = await ctx.em.findOne(ItemRevision, { itemId: item.id, number });
  if (!rev) throw new AppError('NOT_FOUND', `Revision ${number} not found`, { field: 'revision' });
  return updateItem(ctx, {
    id: item.id,
    ...(rev.content as Record<string, never>),
    note: `restored from revision ${number}`,
  });
}

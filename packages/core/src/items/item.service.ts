import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { parseInput } from '../shared/validation.ts';
import { requireSiteByCode, assertWritable } from '../sites/site-lookup.ts';
import { contentHash, type ItemContent, normaliseContent } from './item.content.ts';
import { Item, ItemPlacement, ItemRevision, type ItemState } from './item.entity.ts';
import { type CreateItemInput, createItemInput, type UpdateItemInput, updateItemInput } from './item.inputs.ts';
import { loadItemForWork, requireColumnOf, requireColumnRole } from './item-access.ts';
import { addRevision, deadlineFor, setInterpretedPolicies, setPlacements, voidSignOffs } from './item-writes.ts';
import { REVIEW_STATES } from './review.policy.ts';
import { recordSearchChanges } from '../search/search-outbox.ts';
import { isLive } from './item-view.ts';
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

function contentPatch(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(CONTENT_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
}

/** Creates a draft in its home column; the first revision is saved with it. */
export async function createItem(ctx: Ctx, raw: CreateItemInput): Promise<Item> {
  const input = parseInput(createItemInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  assertWritable(site);
  const column = await requireColumnOf(ctx, site.id, input.column);
  requireColumnRole(ctx, site.id, column.path, ['EDITOR']);
  if (column.status !== 'OPEN') throw new AppError('COLUMN_CLOSED', undefined, { field: 'column' });
  const content = normaliseContent(null, contentPatch(input));
  const source = input.translationOf ? await ctx.em.findOne(Item, { id: input.translationOf, siteId: site.id }) : null;
  if (input.translationOf && !source)
    throw new AppError('NOT_FOUND', 'The item translated was not found in this site', { field: 'translationOf' });
  const deadlineAt = await deadlineFor(ctx, site.id, column, input.kind, content);
  const now = ctx.now();
  const id = randomUUID();
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
          slug: input.slug ?? id.slice(0, 8),
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
        });
        await tx.flush();
        addRevision(tx, ctx, item, content, input.note);
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
        if (input.alsoIn?.length) await setPlacements(tx, ctx, item, input.alsoIn);
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
 * returns to draft. A published item stays live with its published version until the new one is signed.
 */
export async function updateItem(ctx: Ctx, raw: UpdateItemInput): Promise<Item> {
  const input = parseInput(updateItemInput, raw);
  const { item, column } = await loadItemForWork(ctx, input.id);
  requireColumnRole(ctx, item.siteId, column.path, ['EDITOR', 'REVIEWER', 'APPROVER']);
  if (input.baseRevision && input.baseRevision !== item.headNumber) {
    throw new AppError('CONFLICT', `The item changed since revision ${input.baseRevision} (now ${item.headNumber})`, {
      field: 'baseRevision',
    });
  }
  const head = await ctx.em.findOneOrFail(ItemRevision, { id: item.headRevisionId! });
  const content = normaliseContent(head.content as unknown as ItemContent, contentPatch(input));
  const changed = CONTENT_KEYS.filter(
    (k) => JSON.stringify(content[k]) !== JSON.stringify((head.content as Record<string, unknown>)[k]),
  );
  const deadlineAt = await deadlineFor(ctx, item.siteId, column, item.kind, content);
  const now = ctx.now();
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const it = await tx.findOneOrFail(Item, { id: item.id });
        const from: ItemState = it.state;
        if (changed.length > 0) {
          addRevision(tx, ctx, it, content, input.note);
          it.deadlineAt = deadlineAt;
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
        if (input.slug && input.slug !== it.slug && it.publishedRevisionId) {
          // A published item's old address keeps working as a 301 (URLs are cited in official documents).
          await recordSlugChange(tx, it, ctx.now());
        }
        if (input.slug) it.slug = input.slug;
        it.updatedAt = now;
        tx.persist(it);
        await tx.flush();
        if (input.alsoIn) await setPlacements(tx, ctx, it, input.alsoIn);
        if (input.interprets) await setInterpretedPolicies(tx, ctx, it, input.interprets);
        await tx.flush();
        // The live version is unchanged until signed, but its slug and placements are part of its document.
        if (isLive(it) && (input.slug || input.alsoIn)) await recordSearchChanges(tx, [it], 'update');
        await appendAudit(tx, ctx, {
          siteId: it.siteId,
          action: 'item.update',
          targetType: 'Item',
          targetId: it.id,
          changes: { fields: changed, revision: it.headNumber, state: from === it.state ? it.state : [from, it.state] },
        });
        return it;
      }),
    itemConflicts,
  );
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

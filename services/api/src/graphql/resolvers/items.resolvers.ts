import {
  AppError,
  type CreateItemInput,
  closeColumn,
  createItem,
  diffRevisions,
  findItem,
  type Item,
  type ItemRevision,
  type ItemView,
  itemRevisions,
  listItems,
  mergeColumn,
  overdueItems,
  policiesWithoutInterpretation,
  rejectItem,
  restoreRevision,
  reviewQueue,
  type SignOff,
  type SignOffInput,
  signOff,
  submitItem,
  timelinessOf,
  timelinessReport,
  type UpdateItemInput,
  updateItem,
  withdrawItem,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

/** Mutations return the entity; the caller (a person of the site) sees its working version. */
async function viewAfter(ctx: GqlContext, item: Promise<Item>): Promise<ItemView> {
  const it = await item;
  const view = await findItem(ctx.zq, it.id);
  if (!view) throw new Error('item vanished after write');
  return view;
}

const content =
  (field: string, fallback: unknown = null) =>
  (v: ItemView) =>
    (v.content as Record<string, unknown>)[field] ?? fallback;

export const itemResolvers = {
  Query: {
    item: (_: unknown, a: { id: string }, { zq }: GqlContext) => findItem(zq, a.id),
    items: async (
      _: unknown,
      a: { site?: string; column?: string; state?: string; kind?: string; first?: number; after?: string },
      ctx: GqlContext,
    ) => {
      // Themes may leave the site out: the Host header names it.
      const site = a.site ?? ctx.hostSite;
      if (!site)
        throw new AppError('INVALID_INPUT', 'Name the site, or call through one of its host names', { field: 'site' });
      return connection(await listItems(ctx.zq, { ...a, site }));
    },
    reviewQueue: (_: unknown, a: { site: string }, { zq }: GqlContext) => reviewQueue(zq, a.site),
    itemRevisions: (_: unknown, a: { id: string }, { zq }: GqlContext) => itemRevisions(zq, a.id),
    itemRevisionDiff: (_: unknown, a: { id: string; from: number; to: number }, { zq }: GqlContext) =>
      diffRevisions(zq, a.id, a.from, a.to),
    overdueItems: (_: unknown, a: { site: string }, { zq }: GqlContext) => overdueItems(zq, a.site),
    timelinessReport: (_: unknown, a: { site: string; from: string; to: string }, { zq }: GqlContext) =>
      timelinessReport(zq, a),
    policiesWithoutInterpretation: (_: unknown, a: { site: string }, { zq }: GqlContext) =>
      policiesWithoutInterpretation(zq, a.site),
  },
  Mutation: {
    createItem: (_: unknown, a: { input: CreateItemInput }, ctx: GqlContext) =>
      viewAfter(ctx, createItem(ctx.zq, a.input)),
    updateItem: (_: unknown, a: { input: UpdateItemInput }, ctx: GqlContext) =>
      viewAfter(ctx, updateItem(ctx.zq, a.input)),
    restoreRevision: (_: unknown, a: { id: string; revision: number }, ctx: GqlContext) =>
      viewAfter(ctx, restoreRevision(ctx.zq, a.id, a.revision)),
    submitItem: (_: unknown, a: { id: string }, ctx: GqlContext) => viewAfter(ctx, submitItem(ctx.zq, a.id)),
    signOff: (_: unknown, a: { input: SignOffInput }, ctx: GqlContext) => viewAfter(ctx, signOff(ctx.zq, a.input)),
    rejectItem: (_: unknown, a: { id: string; opinion: string }, ctx: GqlContext) =>
      viewAfter(ctx, rejectItem(ctx.zq, a)),
    withdrawItem: (_: unknown, a: { id: string; reason: string }, ctx: GqlContext) =>
      viewAfter(ctx, withdrawItem(ctx.zq, a)),
    mergeColumn: (_: unknown, a: { id: string; into: string }, { zq }: GqlContext) => mergeColumn(zq, a.id, a.into),
    closeColumn: (_: unknown, a: { id: string; reason?: string }, { zq }: GqlContext) =>
      closeColumn(zq, a.id, a.reason),
  },
  Item: {
    revision: (v: ItemView) => v.revisionNumber,
    headRevision: (v: ItemView) => v.headNumber,
    publishedRevision: (v: ItemView) => v.publishedNumber,
    title: (v: ItemView) => v.content.title,
    subtitle: content('subtitle'),
    summary: content('summary'),
    source: content('source'),
    author: content('author'),
    keywords: content('keywords', []),
    occurredAt: content('occurredAt'),
    endedAt: content('endedAt'),
    importantLivelihood: content('importantLivelihood'),
    attachments: content('attachments', []),
    images: content('images', []),
    docNumber: content('docNumber'),
    issuingBody: content('issuingBody'),
    writtenAt: content('writtenAt'),
    issuedAt: content('issuedAt'),
    validity: content('validity'),
    topic: content('topic'),
    timeliness: (v: ItemView, _: unknown, { zq }: GqlContext) =>
      timelinessOf({ deadlineAt: v.deadlineAt, publishedAt: v.publishedAt }, zq.now()),
  },
  ItemRevision: {
    createdBy: (r: ItemRevision) => r.createdByName ?? null,
    title: (r: ItemRevision) => String((r.content as { title?: string }).title ?? ''),
  },
  SignOff: {
    user: (s: SignOff) => ({ id: s.userId, name: s.userName }),
    revision: (s: SignOff) => s.revisionNumber,
    voided: (s: SignOff) => !!s.voidedAt,
  },
};

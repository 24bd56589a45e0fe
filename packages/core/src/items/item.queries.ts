import { diffLines } from 'diff';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursorValue, encodeCursorValue, pageSize } from '../shared/pagination.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { isContentPublicStatus } from '../sites/site.service.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { Item, ItemLink, ItemPlacement, ItemRevision, type ItemState, itemStates, SignOff } from './item.entity.ts';
import { canSeeDrafts, requireColumnOf, seesNoDrafts } from './item-access.ts';
import { isLive, type ItemView, type PublicItemRow, viewOf, viewOfPublicRow } from './item-view.ts';

/** The public ids the caller may read live content of: every site that is online or closing (not archived). */
function publicSiteIds(ctx: Ctx): string[] {
  return ctx.directory
    .all()
    .filter((e) => isContentPublicStatus(e.status))
    .map((e) => e.id);
}

/** Sites whose items the caller may read at all: live items of online sites, and everything of its own sites. */
function readableSiteIds(ctx: Ctx): string[] {
  const own = ctx.directory
    .all()
    .filter((e) => canSeeDrafts(ctx, e.id))
    .map((e) => e.id);
  return [...new Set([...publicSiteIds(ctx), ...own])];
}

/**
 * Live items the public may see: those placed in at least one visible column (a hidden or closed column takes
 * its items off the public site, as it does from lists and search).
 */
async function shownPublicly(ctx: Ctx, items: Item[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const rows = await forkForPublicRead(ctx, [...new Set(items.map((i) => i.siteId))]).execute<{ item_id: string }[]>(
    `select distinct p.item_id from item_placement p join site_column c on c.id = p.column_id
      where p.item_id in (?) and p.live and c.visible and c.status = 'OPEN'`,
    [items.map((i) => i.id)],
  );
  return new Set(rows.map((r) => r.item_id));
}

/** Views for items, with the revision each caller sees, in two or three queries. */
async function viewsOf(ctx: Ctx, items: Item[]): Promise<ItemView[]> {
  const internal = new Map(items.map((i) => [i.id, canSeeDrafts(ctx, i.siteId)]));
  const shown = await shownPublicly(
    ctx,
    items.filter((i) => !internal.get(i.id) && isLive(i)),
  );
  const visible = items.filter((i) => internal.get(i.id) || shown.has(i.id));
  const revIds = visible.map((i) => (internal.get(i.id) ? i.headRevisionId! : i.publishedRevisionId!));
  if (revIds.length === 0) return [];
  const siteIds = [...new Set(visible.map((i) => i.siteId))];
  const revs = await forkForPublicRead(ctx, siteIds).find(ItemRevision, { id: { $in: revIds } });
  const byId = new Map(revs.map((r) => [r.id, r]));
  return visible.map((i) =>
    viewOf(i, byId.get(internal.get(i.id) ? i.headRevisionId! : i.publishedRevisionId!)!, internal.get(i.id)!),
  );
}

/**
 * One item: its working version for people of its site, its live version for everyone else. A caller who sees no
 * site's drafts (the public, a theme's token) gets it in one statement from the list projection plus the body
 * (zq_public_item: live, in a visible open column, of a public site), like the lists (issue 10).
 */
export async function findItem(ctx: Ctx, id: string): Promise<ItemView | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  await ctx.directory.fresh();
  if (seesNoDrafts(ctx)) {
    const rows = (
      ctx.publicReads
        ? await ctx.publicReads.item(id)
        : await ctx.unscopedEm.execute('select * from zq_public_item(?)', [id])
    ) as PublicItemRow[];
    // The SQL door refuses an archived site (migration 0017); the cached directory says the same, for free.
    const row = rows[0];
    if (!row || !isContentPublicStatus(ctx.directory.byId(row.site_id)?.status ?? 'PREPARING')) return null;
    return viewOfPublicRow(row);
  }
  const own = await ctx.em.findOne(Item, { id });
  const item =
    own ??
    (await forkForPublicRead(ctx, publicSiteIds(ctx)).findOne(Item, {
      id,
      publishedRevisionId: { $ne: null },
      withdrawnAt: null,
    }));
  if (!item) return null;
  return (await viewsOf(ctx, [item]))[0] ?? null;
}

export async function itemsByIds(ctx: Ctx, ids: readonly string[]): Promise<ItemView[]> {
  if (ids.length === 0) return [];
  const scope = readableSiteIds(ctx);
  const items = await forkForPublicRead(ctx, scope).find(Item, { id: { $in: [...new Set(ids)] } });
  return viewsOf(ctx, items);
}

export interface ListItemsArgs {
  site: string;
  column?: string | null;
  state?: string | null;
  kind?: string | null;
  first?: number | null;
  after?: string | null;
}

export interface ItemPage {
  nodes: ItemView[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

function pageFrom<T>(rows: T[], limit: number, after: unknown, key: (r: T) => [string, string]) {
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursorValue(key(n))),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== undefined,
  };
}

/**
 * A site's items, newest first. The public (and themes) get live items, ordered by publishing date, through one
 * definer-rights query; people of the site get every state, ordered by last change.
 */
export async function listItems(ctx: Ctx, args: ListItemsArgs): Promise<ItemPage> {
  const limit = pageSize(args.first);
  const entry = (await ctx.directory.fresh()).byCode(args.site);
  if (args.state && !(itemStates as readonly string[]).includes(args.state))
    throw new AppError('INVALID_INPUT', 'Unknown state', { field: 'state' });
  const after = args.after ? (decodeCursorValue(args.after, ['datetime', 'uuid']) as [string, string]) : undefined;
  if (entry && canSeeDrafts(ctx, entry.id)) return listInternal(ctx, entry.id, args, limit, after);
  if (!entry || !isContentPublicStatus(entry.status) || (args.state && args.state !== 'PUBLISHED')) {
    return { nodes: [], cursors: [], hasNextPage: false, hasPreviousPage: false };
  }
  const args2 = {
    siteId: entry.id,
    columnPath: args.column ?? null,
    kind: args.kind ?? null,
    limit: limit + 1,
    afterAt: after?.[0] ?? null,
    afterId: after?.[1] ?? null,
  };
  const rows = (
    ctx.publicReads
      ? await ctx.publicReads.items(args2)
      : await ctx.unscopedEm.execute('select * from zq_public_items(?, ?, ?, ?, ?, ?)', Object.values(args2))
  ) as PublicItemRow[];
  const page = pageFrom(rows, limit, after, (r) => [new Date(r.published_at).toISOString(), r.id]);
  return { ...page, nodes: page.nodes.map(viewOfPublicRow) };
}

async function listInternal(
  ctx: Ctx,
  siteId: string,
  args: ListItemsArgs,
  limit: number,
  after?: [string, string],
): Promise<ItemPage> {
  const column = args.column ? await requireColumnOf(ctx, siteId, args.column) : null;
  const byPublished = args.state === 'PUBLISHED';
  const key = byPublished ? 'publishedAt' : 'updatedAt';
  const where: Record<string, unknown> = { siteId };
  if (args.state) where.state = args.state as ItemState;
  if (args.kind) where.kind = args.kind;
  if (column) where.$or = [{ columnId: column.id }, { id: { $in: await placedIn(ctx, column.id) } }];
  if (after)
    where.$and = [
      { $or: [{ [key]: { $lt: new Date(after[0]) } }, { [key]: new Date(after[0]), id: { $lt: after[1] } }] },
    ];
  const items = await ctx.em.find(Item, where, { orderBy: { [key]: 'desc', id: 'desc' }, limit: limit + 1 });
  const page = pageFrom(items, limit, after, (i) => [(i[key] ?? i.updatedAt).toISOString(), i.id]);
  return { ...page, nodes: await viewsOf(ctx, page.nodes) };
}

async function placedIn(ctx: Ctx, columnId: string): Promise<string[]> {
  const rows = await ctx.em.execute<{ item_id: string }[]>(
    'select item_id from item_placement where column_id = ? and not home',
    [columnId],
  );
  return rows.map((r) => r.item_id);
}

/** Bodies of the given revisions (lists leave them out; this loads them in one query when a caller asks). */
export async function bodiesOf(ctx: Ctx, views: ItemView[]): Promise<Map<string, string>> {
  const siteIds = [...new Set(views.map((v) => v.siteId))];
  if (siteIds.length === 0) return new Map();
  const rows = await forkForPublicRead(ctx, siteIds).find(
    ItemRevision,
    { id: { $in: views.map((v) => v.revisionId) } },
    { fields: ['id', 'content'] },
  );
  return new Map(rows.map((r) => [r.id, String((r.content as { body?: string }).body ?? '')]));
}

/** Sign-offs of items the caller may see the workflow of (people of the site). */
export async function signOffsOf(ctx: Ctx, items: ItemView[]): Promise<SignOff[]> {
  const ids = items.filter((i) => i.internal).map((i) => i.id);
  if (ids.length === 0) return [];
  return ctx.em.find(SignOff, { itemId: { $in: ids } }, { orderBy: { signedAt: 'asc', level: 'asc' } });
}

/** Both sides of 政策解读 ↔ 规范性文件 links, for the given items. */
export async function linksOf(ctx: Ctx, itemIds: string[]): Promise<ItemLink[]> {
  if (itemIds.length === 0) return [];
  const scope = readableSiteIds(ctx);
  return forkForPublicRead(ctx, scope).find(ItemLink, {
    $or: [{ interpretationId: { $in: itemIds } }, { policyId: { $in: itemIds } }],
  });
}

export async function itemRevisions(ctx: Ctx, id: string): Promise<ItemRevision[]> {
  const view = await findItem(ctx, id);
  if (!view?.internal) throw new AppError('NOT_FOUND', 'Item not found', { field: 'id' });
  return ctx.em.find(ItemRevision, { itemId: id }, { orderBy: { number: 'desc' } });
}

/** What changed between two revisions: the fields, and the body's text line by line. */
export async function diffRevisions(ctx: Ctx, id: string, from: number, to: number) {
  const revs = await itemRevisions(ctx, id);
  const a = revs.find((r) => r.number === from);
  const b = revs.find((r) => r.number === to);
  if (!a || !b) throw new AppError('NOT_FOUND', 'Revision not found', { field: a ? 'to' : 'from' });
  const ca = a.content as Record<string, unknown>;
  const cb = b.content as Record<string, unknown>;
  const fields = Object.keys({ ...ca, ...cb }).filter(
    (k) => k !== 'body' && JSON.stringify(ca[k]) !== JSON.stringify(cb[k]),
  );
  const body = diffLines(a.bodyText, b.bodyText).map((part) => ({
    op: part.added ? 'ADDED' : part.removed ? 'REMOVED' : 'SAME',
    text: part.value,
  }));
  return {
    from,
    to,
    changedFields: fields.map((f) => ({ field: f, before: ca[f] ?? null, after: cb[f] ?? null })),
    bodyChanged: a.bodyText !== b.bodyText,
    body,
  };
}

export async function requireSiteForItems(ctx: Ctx, code: string) {
  const site = await requireSiteByCode(ctx, code);
  if (!canSeeDrafts(ctx, site.id)) throw new AppError('FORBIDDEN');
  return site;
}

/** Placements (home first) and translation siblings, for the GraphQL loaders. */
export async function placementsOf(ctx: Ctx, items: ItemView[]): Promise<ItemPlacement[]> {
  if (items.length === 0) return [];
  const scope = [...new Set(items.map((i) => i.siteId))];
  const rows = await forkForPublicRead(ctx, scope).find(
    ItemPlacement,
    { itemId: { $in: items.map((i) => i.id) } },
    { orderBy: { home: 'desc', createdAt: 'asc' } },
  );
  const internal = new Set(items.filter((i) => i.internal).map((i) => i.id));
  return rows.filter((p) => internal.has(p.itemId) || p.live);
}

export async function translationsOf(ctx: Ctx, groupIds: string[]): Promise<ItemView[]> {
  if (groupIds.length === 0) return [];
  const scope = readableSiteIds(ctx);
  const items = await forkForPublicRead(ctx, scope).find(Item, { translationGroupId: { $in: [...new Set(groupIds)] } });
  return viewsOf(ctx, items);
}

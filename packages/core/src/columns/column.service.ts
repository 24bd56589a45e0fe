import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { canAdministerSite, reachableSiteIds } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { diffFields } from '../shared/diff.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { parseInput, withDefault } from '../shared/validation.ts';
import { isContentPublicStatus } from '../sites/site.service.ts';
import { assertWritable, requireSiteById, requireSiteByCode } from '../sites/site-lookup.ts';
import { ItemPlacement } from '../items/item.entity.ts';
import { recordColumnSubtreeChanges } from '../search/search-outbox.ts';
import { recordColumnChanged } from '../webhooks/webhook-events.ts';
import { writeRedirects } from '../delivery/redirect.service.ts';
import { refreshColumnSubtreeListings } from '../items/item-listing.ts';
import { publicColumns } from './public-columns.ts';
import { Column, columnTypes, newColumnDefaults, updateClasses } from './column.entity.ts';
import { COLUMN_CODE, checkMoveTarget, columnPath, renumber } from './column.policy.ts';

const columnConflicts = {
  site_column_site_id_path_key: { field: 'code', message: 'A sibling column already uses this code' },
};

const code = z.string().trim().toLowerCase().regex(COLUMN_CODE, 'lower-case letters, digits and hyphens, up to 48');
const name = z.string().trim().min(1).max(100);
const linkUrl = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .nullish();

const createInput = z.object({
  site: z.string(),
  parentId: z.uuid().nullish(),
  code,
  name,
  type: withDefault(z.enum(columnTypes), 'LIST'),
  updateClass: withDefault(z.enum(updateClasses), 'STATIC'),
  visible: withDefault(z.boolean(), true),
  linkUrl,
  position: z.number().int().min(0).nullish(),
});
/** How items of the column get their deadline (2015 §2); null or BY_KIND: 24 h for activities, 3 working days for policies. */
const deadlineRule = z.enum(['BY_KIND', 'NONE', 'HOURS_AFTER_OCCURRED', 'WORKDAYS_AFTER_ISSUED']).nullish();
const deadlineAmount = z.number().int().min(1).max(365).nullish();

const updateInput = z.object({
  id: z.uuid(),
  code: code.nullish(),
  name: name.nullish(),
  type: z.enum(columnTypes).nullish(),
  updateClass: z.enum(updateClasses).nullish(),
  visible: z.boolean().nullish(),
  linkUrl,
  deadlineRule,
  deadlineAmount,
});

/** The fields an update can change, for the audit record's before/after. */
const snapshot = (c: Column) => ({
  code: c.code,
  path: c.path,
  name: c.name,
  type: c.type,
  updateClass: c.updateClass,
  visible: c.visible,
  linkUrl: c.linkUrl,
  deadlineRule: c.deadlineRule,
  deadlineAmount: c.deadlineAmount,
});
const moveInput = z.object({
  id: z.uuid(),
  /** The new parent; null for the top level. Omit to reorder among the current siblings. */
  parentId: z.uuid().nullish(),
  position: z.number().int().min(0),
});
export type CreateColumnInput = z.input<typeof createInput>;
export type UpdateColumnInput = z.input<typeof updateInput>;
export type MoveColumnInput = z.input<typeof moveInput>;

/** Columns of a site are managed by its site admins (and admins above it). */
async function requireManagedColumn(ctx: Ctx, id: string) {
  const column = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Column, { id }) : null;
  if (!column) throw new AppError('NOT_FOUND', 'Column not found', { field: 'id' });
  const site = await requireSiteById(ctx, column.siteId);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  return { column, site };
}

async function requireParent(em: EntityManager, siteId: string, parentId: string | null | undefined) {
  if (!parentId) return null;
  const parent = await em.findOne(Column, { id: parentId, siteId });
  if (!parent) throw new AppError('NOT_FOUND', 'Parent column not found in this site', { field: 'parentId' });
  return parent;
}

const siblingsOf = (em: EntityManager, siteId: string, parentId: string | null) =>
  em.find(Column, { siteId, parentId }, { orderBy: { sortOrder: 'asc', code: 'asc' } });

/** Rewrites the path of a column's whole subtree after its code or parent changed (one statement). */
async function rebaseSubtree(tx: EntityManager, siteId: string, oldPath: string, newPath: string) {
  await tx.execute(
    `update site_column set path = ? || substr(path, ?), updated_at = now()
      where site_id = ? and (path = ? or path like ?)`,
    [newPath, oldPath.length + 1, siteId, oldPath, `${oldPath.replace(/[\\%_]/g, '\\$&')}/%`],
  );
}

export async function createColumn(ctx: Ctx, raw: CreateColumnInput): Promise<Column> {
  const input = parseInput(createInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  if (input.type === 'LINK' && !input.linkUrl)
    throw new AppError('INVALID_INPUT', 'A link column needs its URL', { field: 'linkUrl' });
  const now = ctx.now();
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const parent = await requireParent(tx, site.id, input.parentId);
        const siblings = await siblingsOf(tx, site.id, parent?.id ?? null);
        const id = randomUUID();
        const order = renumber(siblings, id, input.position ?? siblings.length);
        for (const s of siblings) s.sortOrder = order.get(s.id)!;
        const column = tx.create(Column, {
          id,
          siteId: site.id,
          parentId: parent?.id ?? null,
          code: input.code,
          path: columnPath(parent?.path ?? null, input.code),
          name: input.name,
          type: input.type,
          updateClass: input.updateClass,
          locked: false,
          visible: input.visible,
          sortOrder: order.get(id)!,
          linkUrl: input.linkUrl ?? null,
          ...newColumnDefaults,
          createdAt: now,
          updatedAt: now,
        });
        await tx.flush();
        await recordColumnChanged(tx, column, 'created', now);
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: 'column.create',
          targetType: 'Column',
          targetId: id,
          changes: { path: column.path, name: column.name, type: column.type, updateClass: column.updateClass },
        });
        return column;
      }),
    columnConflicts,
  );
}

export async function updateColumn(ctx: Ctx, raw: UpdateColumnInput): Promise<Column> {
  const input = parseInput(updateInput, raw);
  const { column } = await requireManagedColumn(ctx, input.id);
  const renaming = (input.code && input.code !== column.code) || (input.name && input.name !== column.name);
  if (column.locked && renaming)
    throw new AppError('COLUMN_LOCKED', undefined, { field: input.code ? 'code' : 'name' });
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const c = await tx.findOneOrFail(Column, { id: column.id });
        const before = snapshot(c);
        const oldPath = c.path;
        if (input.code && input.code !== c.code) {
          const parent = await requireParent(tx, c.siteId, c.parentId ?? null);
          c.code = input.code;
          c.path = columnPath(parent?.path ?? null, input.code);
          await rebaseSubtree(tx, c.siteId, oldPath, c.path);
          // Old addresses of the column and everything below it keep working as 301s (cited URLs).
          await writeRedirects(
            tx,
            c.siteId,
            [{ fromPath: oldPath, targetColumnId: c.id, reason: 'COLUMN_RENAMED' }],
            ctx.now(),
          );
        }
        if (input.name) c.name = input.name;
        if (input.type) c.type = input.type;
        if (input.updateClass) c.updateClass = input.updateClass;
        if (input.visible !== undefined && input.visible !== null) c.visible = input.visible;
        if (input.linkUrl !== undefined) c.linkUrl = input.linkUrl ?? null;
        if (input.deadlineRule !== undefined) c.deadlineRule = input.deadlineRule ?? null;
        if (input.deadlineAmount !== undefined) c.deadlineAmount = input.deadlineAmount ?? null;
        if (c.type === 'LINK' && !c.linkUrl)
          throw new AppError('INVALID_INPUT', 'A link column needs its URL', { field: 'linkUrl' });
        c.updatedAt = ctx.now();
        tx.persist(c);
        await tx.flush();
        // Hiding or showing a column takes its items off the public site or brings them back (search too).
        if (before.visible !== c.visible) {
          await recordColumnSubtreeChanges(tx, c.siteId, c.path, 'column-visibility');
          await refreshColumnSubtreeListings(tx, c.siteId, c.path);
        }
        await recordColumnChanged(tx, c, 'updated', ctx.now(), { previousPath: oldPath });
        await appendAudit(tx, ctx, {
          siteId: c.siteId,
          action: 'column.update',
          targetType: 'Column',
          targetId: c.id,
          changes: diffFields(before, snapshot(c)),
        });
        return c;
      }),
    columnConflicts,
  );
}

/** Moves a column (with its subtree) under a new parent, or reorders it among its siblings. */
export async function moveColumn(ctx: Ctx, raw: MoveColumnInput): Promise<Column> {
  const input = parseInput(moveInput, raw);
  const { column } = await requireManagedColumn(ctx, input.id);
  const reparent = input.parentId !== undefined && (input.parentId ?? null) !== column.parentId;
  if (column.locked && reparent) throw new AppError('COLUMN_LOCKED', undefined, { field: 'parentId' });
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const c = await tx.findOneOrFail(Column, { id: column.id });
        const oldPath = c.path;
        const oldParent = c.parentId;
        if (reparent) {
          const parent = await requireParent(tx, c.siteId, input.parentId);
          checkMoveTarget(c.path, parent?.path ?? null);
          c.parentId = parent?.id ?? null;
          c.path = columnPath(parent?.path ?? null, c.code);
          await rebaseSubtree(tx, c.siteId, oldPath, c.path);
          await writeRedirects(
            tx,
            c.siteId,
            [{ fromPath: oldPath, targetColumnId: c.id, reason: 'COLUMN_MOVED' }],
            ctx.now(),
          );
          // Items below the column now have other column ancestors in their search documents.
          await recordColumnSubtreeChanges(tx, c.siteId, c.path, 'column-move');
        }
        const siblings = (await siblingsOf(tx, c.siteId, c.parentId ?? null)).filter((s) => s.id !== c.id);
        const order = renumber(siblings, c.id, input.position);
        for (const s of siblings) s.sortOrder = order.get(s.id)!;
        c.sortOrder = order.get(c.id)!;
        c.updatedAt = ctx.now();
        tx.persist(c);
        await tx.flush();
        await recordColumnChanged(tx, c, reparent ? 'moved' : 'reordered', ctx.now(), { previousPath: oldPath });
        await appendAudit(tx, ctx, {
          siteId: c.siteId,
          action: reparent ? 'column.move' : 'column.reorder',
          targetType: 'Column',
          targetId: c.id,
          changes: { path: [oldPath, c.path], parentId: [oldParent, c.parentId], position: input.position },
        });
        return c;
      }),
    columnConflicts,
  );
}

/** Only an unlocked, empty column (no child columns; later: no items) can be deleted. */
export async function deleteColumn(ctx: Ctx, id: string): Promise<string> {
  const { column } = await requireManagedColumn(ctx, id);
  if (column.locked) throw new AppError('COLUMN_LOCKED', undefined, { field: 'id' });
  await ctx.em.transactional(async (tx) => {
    const children = await tx.count(Column, { parentId: column.id });
    const items = await tx.count(ItemPlacement, { columnId: column.id });
    if (children > 0 || items > 0) {
      throw new AppError('COLUMN_NOT_EMPTY', `The column holds ${children} column(s) and ${items} item(s)`, {
        details: { children, items },
      });
    }
    await tx.nativeDelete(Column, { id: column.id });
    await recordColumnChanged(tx, column, 'deleted', ctx.now());
    await appendAudit(tx, ctx, {
      siteId: column.siteId,
      action: 'column.delete',
      targetType: 'Column',
      targetId: column.id,
      changes: { path: column.path, name: column.name },
    });
  });
  return column.id;
}

/**
 * Every column of the given sites, for building trees. Members of a site see all its columns; everyone else
 * sees only the visible columns of public sites that hold something (two queries: columns, live placements).
 */
export async function columnsOfSites(ctx: Ctx, siteIds: readonly string[]): Promise<Column[]> {
  const reach = new Set(reachableSiteIds(ctx.actor, ctx.directory));
  const managed = siteIds.filter((id) => reach.has(id));
  const publicIds = siteIds.filter(
    (id) => !reach.has(id) && isContentPublicStatus(ctx.directory.byId(id)?.status ?? 'PREPARING'),
  );
  const all = [...managed, ...publicIds];
  if (all.length === 0) return [];
  const em = forkForPublicRead(ctx, all);
  const where =
    publicIds.length === 0
      ? { siteId: { $in: managed } }
      : { $or: [{ siteId: { $in: managed } }, { siteId: { $in: publicIds }, visible: true }] };
  const rows = await em.find(Column, where, { orderBy: { siteId: 'asc', sortOrder: 'asc', code: 'asc' } });
  if (publicIds.length === 0) return rows;
  // 2017 §1.3: the public never sees a blank column, nor a link column without its URL.
  const live = await em.execute<{ column_id: string }[]>(
    'select distinct column_id from item_placement where live and site_id in (?)',
    [publicIds],
  );
  const shown = new Set(
    publicColumns(
      rows.filter((c) => !reach.has(c.siteId)),
      new Set(live.map((r) => r.column_id)),
    ).map((c) => c.id),
  );
  return rows.filter((c) => reach.has(c.siteId) || shown.has(c.id));
}

/** Columns by id, limited to sites the caller may see (members: all; others: visible columns of public sites). */
/**
 * Names of columns by id, as the actor may see them: search's column-facet labels. The public (anonymous) gets
 * visible columns of public sites through the one-statement definer function (issue 10: no transaction, no
 * entities on a public search); a signed-in actor also sees the hidden columns of the sites it reaches.
 */
export async function columnNamesByIds(ctx: Ctx, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  if (ctx.actor.kind !== 'anonymous') return new Map((await columnsByIds(ctx, unique)).map((c) => [c.id, c.name]));
  const rows = (
    ctx.publicReads
      ? await ctx.publicReads.columnNames(unique)
      : await ctx.unscopedEm.execute('select * from zq_public_column_names(?::uuid[])', [`{${unique.join(',')}}`])
  ) as { id: string; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function columnsByIds(ctx: Ctx, ids: readonly string[]): Promise<Column[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const reach = new Set(reachableSiteIds(ctx.actor, ctx.directory));
  const scope = ctx.directory
    .all()
    .filter((e) => reach.has(e.id) || isContentPublicStatus(e.status))
    .map((e) => e.id);
  const rows = await forkForPublicRead(ctx, scope).find(Column, { id: { $in: unique } });
  return rows.filter((c) => reach.has(c.siteId) || c.visible);
}

const namesInput = z.object({
  id: z.string(),
  names: z
    .array(z.object({ locale: z.string().trim().min(2).max(20), name: z.string().trim().min(1).max(100) }))
    .max(20),
});
export type SetColumnNamesInput = z.input<typeof namesInput>;

/**
 * 2015 §8: a column's names in the site's other declared locales (the first locale's name is `name`). The list
 * replaces the previous one; a locale the site does not declare is refused (LOCALE_NOT_DECLARED), so navigation
 * never offers a language the site has no pages in. `route` answers in the requested locale, falling back to
 * `name` for a locale without its own.
 */
export async function setColumnNames(ctx: Ctx, raw: SetColumnNamesInput): Promise<Column> {
  const input = parseInput(namesInput, raw);
  const { column, site } = await requireManagedColumn(ctx, input.id);
  const others = site.locales.slice(1);
  const names: Record<string, string> = {};
  for (const [i, n] of input.names.entries()) {
    if (!others.includes(n.locale))
      throw new AppError(
        'LOCALE_NOT_DECLARED',
        site.locales[0] === n.locale
          ? `${n.locale} is the site's first locale: its name is the column's name`
          : `The site declares ${site.locales.join(', ')}, not ${n.locale}`,
        { field: `names.${i}.locale`, details: { declared: site.locales } },
      );
    if (names[n.locale]) throw new AppError('INVALID_INPUT', 'A locale is named twice', { field: `names.${i}.locale` });
    names[n.locale] = n.name;
  }
  return ctx.em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Column, { id: column.id });
    const before = c.names;
    c.names = names;
    c.updatedAt = ctx.now();
    tx.persist(c);
    await tx.flush();
    await recordColumnChanged(tx, c, 'names', ctx.now(), { names });
    await appendAudit(tx, ctx, {
      siteId: c.siteId,
      action: 'column.names',
      targetType: 'Column',
      targetId: c.id,
      changes: { names: [before, names] },
    });
    return c;
  });
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import { Item } from '../items/item.entity.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursor, encodeCursor, type Page, type PageArgs, pageSize } from '../shared/pagination.ts';
import { parseInput } from '../shared/validation.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import type { Site } from '../sites/site.entity.ts';
import { type RedirectReason, redirectReasons } from './redirect.entity.ts';
import { itemUrlPath } from './url.policy.ts';

export interface RedirectEntry {
  fromPath: string;
  targetItemId?: string | null;
  targetColumnId?: string | null;
  targetUrl?: string | null;
  gone?: boolean;
  reason: RedirectReason;
}

/**
 * Writes redirect rows inside the caller's transaction (the change that made the old address old). The latest
 * row for a path wins: a path moved twice leads to where it went last.
 */
export async function writeRedirects(tx: EntityManager, siteId: string, entries: RedirectEntry[], now: Date) {
  for (const e of entries) {
    await tx.execute(
      `insert into site_redirect (id, site_id, from_path, target_item_id, target_column_id, target_url, gone, reason, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (site_id, from_path) do update set target_item_id = excluded.target_item_id,
         target_column_id = excluded.target_column_id, target_url = excluded.target_url, gone = excluded.gone,
         reason = excluded.reason, created_at = excluded.created_at`,
      [
        randomUUID(),
        siteId,
        e.fromPath,
        e.targetItemId ?? null,
        e.targetColumnId ?? null,
        e.targetUrl ?? null,
        e.gone ?? false,
        e.reason,
        now,
      ],
    );
  }
}

/** Before a published item's slug changes: its old address (in its locale) leads to the item (one statement). */
export async function recordSlugChange(tx: EntityManager, item: Item, now: Date): Promise<void> {
  const [row] = await tx.execute<{ path: string; locales: string[] }[]>(
    'select c.path, s.locales from site_column c join site s on s.id = c.site_id where c.id = ?',
    [item.columnId],
  );
  if (!row) return;
  const fromPath = itemUrlPath(row.path, item.slug, item.locale, row.locales);
  await writeRedirects(tx, item.siteId, [{ fromPath, targetItemId: item.id, reason: 'SLUG_CHANGED' }], now);
}

const entryInput = z
  .object({
    /** A path on the site's hosts, as the legacy site served it (a query string is kept: /art.asp?id=3). */
    fromPath: z
      .string()
      .trim()
      .min(2)
      .max(1000)
      .regex(/^\/\S*$/, 'a path starting with /, no spaces'),
    toItemId: z.uuid().nullish(),
    toColumnId: z.uuid().nullish(),
    toUrl: z
      .url({ protocol: /^https?$/ })
      .max(1000)
      .nullish(),
    gone: z.boolean().nullish(),
    reason: z.enum(redirectReasons).nullish(),
  })
  .refine((e) => [e.toItemId, e.toColumnId, e.toUrl].filter(Boolean).length + (e.gone ? 1 : 0) === 1, {
    message: 'exactly one of toItemId, toColumnId, toUrl or gone',
  });
const recordInput = z.object({ site: z.string(), entries: z.array(entryInput).min(1).max(10_000) });
export type RecordRedirectsInput = z.input<typeof recordInput>;

/** Site admins (and admins above), and API tokens of the site with the IMPORT scope (migration scripts). */
function canManageRedirects(ctx: Ctx, site: Site): boolean {
  if (ctx.actor.kind === 'apiToken') return ctx.actor.siteId === site.id && ctx.actor.scopes.includes('IMPORT');
  return canAdministerSite(ctx.actor, site.id, ctx.directory);
}

async function requireRedirectSite(ctx: Ctx, code: string): Promise<Site> {
  const site = await requireSiteByCode(ctx, code);
  if (!canManageRedirects(ctx, site)) throw new AppError('FORBIDDEN');
  return site;
}

/**
 * Adds rows to a site's redirect map: legacy URLs from an import (2015 §9, 2017 §2: legacy sites consolidated
 * onto the platform), removed content (gone: 410), manual entries. Targets must belong to the site.
 */
export async function recordRedirects(ctx: Ctx, raw: RecordRedirectsInput): Promise<number> {
  const input = parseInput(recordInput, raw);
  const site = await requireRedirectSite(ctx, input.site);
  const itemIds = [...new Set(input.entries.flatMap((e) => (e.toItemId ? [e.toItemId] : [])))];
  const columnIds = [...new Set(input.entries.flatMap((e) => (e.toColumnId ? [e.toColumnId] : [])))];
  return ctx.em.transactional(async (tx) => {
    const items = itemIds.length ? await tx.count(Item, { id: { $in: itemIds }, siteId: site.id }) : 0;
    if (items !== itemIds.length)
      throw new AppError('NOT_FOUND', 'Target item not found in this site', { field: 'entries.toItemId' });
    const cols = columnIds.length ? await tx.count(Column, { id: { $in: columnIds }, siteId: site.id }) : 0;
    if (cols !== columnIds.length)
      throw new AppError('NOT_FOUND', 'Target column not found in this site', { field: 'entries.toColumnId' });
    const entries = input.entries.map((e) => ({
      fromPath: e.fromPath,
      targetItemId: e.toItemId ?? null,
      targetColumnId: e.toColumnId ?? null,
      targetUrl: e.toUrl ?? null,
      gone: e.gone ?? false,
      reason: e.reason ?? ('LEGACY_IMPORT' as const),
    }));
    await writeRedirects(tx, site.id, entries, ctx.now());
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'redirect.record',
      targetType: 'Site',
      targetId: site.id,
      changes: { count: entries.length, first: entries.slice(0, 5).map((e) => e.fromPath) },
    });
    return entries.length;
  });
}

/** A redirect row with where it leads now: the current path of its target item or column. */
export interface RedirectView {
  id: string;
  fromPath: string;
  target: string | null;
  gone: boolean;
  reason: string;
  createdAt: Date;
}

const VIEW_SQL = `select r.id, r.from_path, r.gone, r.reason, r.created_at,
            case when r.gone then null
                 when r.target_url is not null then r.target_url
                 when r.target_column_id is not null then coalesce(m.path, c.path) || '/'
                 else ic.path || '/' || i.slug || '.html' end as target
       from site_redirect r
       left join site_column c on c.id = r.target_column_id
       left join site_column m on m.id = c.merged_into_id and c.status = 'MERGED'
       left join item i on i.id = r.target_item_id
       left join site_column ic on ic.id = i.column_id
      where r.site_id = ?`;

type ViewRow = {
  id: string;
  from_path: string;
  gone: boolean;
  reason: string;
  created_at: Date;
  target: string | null;
};
const toView = (r: ViewRow): RedirectView => ({
  id: r.id,
  fromPath: r.from_path,
  target: r.target,
  gone: r.gone,
  reason: r.reason,
  createdAt: new Date(r.created_at),
});

/** A site's redirect map, by old path (site admins; keyset pages, one statement). */
export async function listRedirects(ctx: Ctx, siteCode: string, args: PageArgs): Promise<Page<RedirectView>> {
  const site = await requireRedirectSite(ctx, siteCode);
  const limit = pageSize(args.first);
  const after = args.after ? String(decodeCursor(args.after, 'text')) : null;
  const rows = await ctx.em.execute<ViewRow[]>(
    `${VIEW_SQL} and (?::text is null or r.from_path > ?) order by r.from_path limit ?`,
    [site.id, after, after, limit + 1],
  );
  const nodes = rows.slice(0, limit).map(toView);
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursor(n.fromPath)),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== null,
  };
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The whole map as CSV (RFC 4180; GONE for removed content), one statement; at most 200,000 rows. */
export async function exportRedirectsCsv(ctx: Ctx, siteCode: string): Promise<string> {
  const site = await requireRedirectSite(ctx, siteCode);
  const rows = await ctx.em.execute<ViewRow[]>(`${VIEW_SQL} order by r.from_path limit 200000`, [site.id]);
  const lines = ['from_path,target,reason,created_at'];
  for (const r of rows.map(toView))
    lines.push(
      [r.fromPath, r.gone ? 'GONE' : (r.target ?? ''), r.reason, r.createdAt.toISOString()].map(csvCell).join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}

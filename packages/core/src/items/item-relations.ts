import { Column } from '../columns/column.entity.ts';
import { columnsByIds } from '../columns/column.service.ts';
import type { Ctx } from '../shared/context.ts';
import { seesNoDrafts } from './item-access.ts';
import { itemsByIds, linksOf } from './item.queries.ts';
import { type ItemView, type PublicItemRow, viewOfPublicRow } from './item-view.ts';

/**
 * A caller who sees no site's drafts (the public, a theme's READ_PUBLISHED token) reads what items point to
 * through the public read port: the definer-rights doors of migration 0026, one statement each, with the sites'
 * content versions — so a page built from them can be kept (ADR 0028, 0029). Everyone else through the ORM.
 */
function publicOnly(ctx: Ctx): boolean {
  return !!ctx.publicReads && seesNoDrafts(ctx);
}

/** Items' home columns, in the order asked (null: a column the caller may not see). One statement for all. */
export async function homeColumnsOf(
  ctx: Ctx,
  items: readonly Pick<ItemView, 'columnId' | 'siteId'>[],
): Promise<(Column | null)[]> {
  if (items.length === 0) return [];
  let cols: Column[];
  if (publicOnly(ctx)) {
    const rows = (await ctx.publicReads!.columns(
      items.map((i) => i.columnId),
      items.map((i) => i.siteId),
    )) as Record<string, unknown>[];
    // Turning rows already read into entities reads nothing (and keeps the trace clean).
    const em = ctx.unscopedEm;
    cols = rows.map((r) => em.map(Column, r));
  } else {
    cols = await columnsByIds(
      ctx,
      items.map((i) => i.columnId),
    );
  }
  const byId = new Map(cols.map((c) => [c.id, c]));
  return items.map((i) => byId.get(i.columnId) ?? null);
}

type Side = 'interpretation' | 'policy';
type LinkRow = PublicItemRow & { of_id: string; side: Side };

/**
 * Both sides of a request's links are asked at once (the theme asks `interpretations` and `interprets` of one
 * item): the first loader's statement answers the second, keyed by the items asked.
 */
const asked = new WeakMap<Ctx, Map<string, Promise<LinkRow[]>>>();

function publicLinks(ctx: Ctx, items: readonly ItemView[]): Promise<LinkRow[]> {
  const ids = [...new Set(items.map((i) => i.id))].sort();
  const key = ids.join(',');
  let memo = asked.get(ctx);
  if (!memo) {
    memo = new Map();
    asked.set(ctx, memo);
  }
  let rows = memo.get(key);
  if (!rows) {
    rows = ctx.publicReads!.links(
      ids,
      items.map((i) => i.siteId),
    ) as Promise<LinkRow[]>;
    memo.set(key, rows);
  }
  return rows;
}

/**
 * 政策解读 ↔ 规范性文件: for each item, the linked items on one side — `interpretation`: the interpretations of a
 * policy document; `policy`: the policy documents an interpretation explains. Constant statements for a list.
 */
export async function linkedItemsOf(ctx: Ctx, items: readonly ItemView[], side: Side): Promise<ItemView[][]> {
  if (items.length === 0) return [];
  if (publicOnly(ctx)) {
    const rows = await publicLinks(ctx, items);
    return items.map((i) => rows.filter((r) => r.of_id === i.id && r.side === side).map(viewOfPublicRow));
  }
  const [self, other] =
    side === 'interpretation'
      ? (['policyId', 'interpretationId'] as const)
      : (['interpretationId', 'policyId'] as const);
  const links = await linksOf(
    ctx,
    items.map((i) => i.id),
  );
  const found = new Map(
    (
      await itemsByIds(
        ctx,
        links.map((l) => l[other]),
      )
    ).map((i) => [i.id, i]),
  );
  return items.map((i) =>
    links
      .filter((l) => l[self] === i.id)
      .map((l) => found.get(l[other]))
      .filter((x) => x !== undefined),
  );
}

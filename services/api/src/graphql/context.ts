import type { Column, Ctx, Page } from '@zhanqun/core';
import type { MercuriusContext } from 'mercurius';

/** What every resolver and loader receives: the core context plus per-request memo of column trees. */
export interface GqlContext extends MercuriusContext {
  zq: Ctx;
  /** Children of columns whose whole site tree was loaded in one query (keeps tree reads constant). */
  columnChildren: WeakMap<Column, Column[]>;
  /** The site whose host name the request came to, if any (themes read `items` without naming the site). */
  hostSite: string | null;
}

export type Resolver<A = Record<string, unknown>, P = unknown> = (parent: P, args: A, ctx: GqlContext) => unknown;

export function connection<T>(page: Page<T>) {
  return {
    edges: page.nodes.map((node, i) => ({ cursor: page.cursors[i], node })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    },
  };
}

/** Groups rows by a key, answering loader queries in their order. */
export function groupFor<Q, R>(queries: Q[], rows: R[], rowKey: (r: R) => string, queryKey: (q: Q) => string): R[][] {
  const map = new Map<string, R[]>();
  for (const r of rows) {
    const k = rowKey(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return queries.map((q) => map.get(queryKey(q)) ?? []);
}

import type { ColumnLabels, PublicReadPort, SeenVersion } from '@zhanqun/core';
import pg from 'pg';
import { fastTypes } from './timestamptz.ts';

/** What /metrics reports about a connection pool (pg-pool's own counters). */
export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

export function poolStats(pool: pg.Pool, max: number): PoolStats {
  return { max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

const ITEMS = 'select * from zq_public_items($1, $2, $3, $4, $5, $6)';
// `offset 0` keeps the version's subquery from being pulled up into the outer select list, where PostgreSQL
// called zq_public_versions once per row of the page (21 definer calls for a list: 1.5 ms of backend CPU per call
// instead of 0.7; ADR 0030, second round). Same value: one statement, one snapshot.
const ITEMS_SEEN =
  'select v.zq_version, t.* from (select (zq_public_versions(array[$1::uuid]))[1] as zq_version offset 0) v ' +
  'left join lateral zq_public_items($1, $2, $3, $4, $5, $6) t on true';
const ITEMS_UNDER = 'select * from zq_public_items_under($1, $2, $3, $4, $5, $6)';
const ITEMS_UNDER_SEEN =
  'select v.zq_version, t.* from (select (zq_public_versions(array[$1::uuid]))[1] as zq_version offset 0) v ' +
  'left join lateral zq_public_items_under($1, $2, $3, $4, $5, $6) t on true';
const ITEM = 'select * from zq_public_item($1)';
const ITEM_SEEN = 'select t.*, (zq_public_versions(array[t.site_id]))[1] as zq_version from zq_public_item($1) t';
// The versions of the asked items' sites with the rows, in one statement (one row of nulls when none is found);
// `offset 0` as for ITEMS_SEEN: the versions computed once, not once per row.
const COLUMNS_SEEN =
  'select v.zq_versions, t.* from (select zq_public_versions($2::uuid[]) as zq_versions offset 0) v ' +
  'left join lateral zq_public_columns($1::uuid[]) t on true';
const LINKS_SEEN =
  'select v.zq_versions, t.* from (select zq_public_versions($2::uuid[]) as zq_versions offset 0) v ' +
  'left join lateral zq_public_links($1::uuid[]) t on true';
const ROUTE = 'select * from zq_public_route($1, $2, $3, $4)';
const ROUTE_SEEN =
  'select t.*, (zq_public_versions(array[$1::uuid]))[1] as zq_version from zq_public_route($1, $2, $3, $4) t';

/** Sites whose column trees are held (most recently used last); far above a city's sites. */
const MAX_TREES = 1000;

/**
 * The public read path on plain `pg` with named prepared statements: the plan is prepared once per connection,
 * no transaction, no session variables (the definer-rights function returns only public content). One round
 * trip per request; this is what keeps public reads near the bare floor (bench/).
 */
export function publicReads(
  url: string,
  max: number,
  onQuery?: (sql: string) => void,
): PublicReadPort & { close(): Promise<void>; stats(): PoolStats } {
  // Its timestamps read by position (a list row carries five): same Dates as pg's parser, a fraction of its CPU.
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'zhanqun-public', types: fastTypes });
  // Sites' column trees as of a version; zq_public_route checks that version in the statement that reads the
  // page, so a tree changed through another instance is never served (issue 10; see migration 0020).
  const trees = new Map<string, { version: string; site: unknown; columns: unknown; memo: Map<string, unknown> }>();
  // Search's column-facet labels per site as of its tree version; zq_public_column_labels says, in the statement
  // asked while Meilisearch works, whether that version is still current (issue 10; migration 0024).
  const labels = new Map<string, { version: string; names: Map<string, string> }>();
  pool.on('error', () => {});
  /** One statement: the rows of a set-returning door and the versions of `siteIds` (same snapshot). */
  async function versioned(name: string, text: string, ids: string[], siteIds: string[], seen?: SeenVersion) {
    const sites = [...new Set(siteIds)];
    onQuery?.(`[query] ${text}`);
    const res = await pool.query<{ zq_versions: (string | null)[] | null; id: string | null }>({
      name,
      text,
      values: [[...new Set(ids)], sites],
    });
    const versions = res.rows[0]?.zq_versions ?? [];
    if (seen) for (const [i, s] of sites.entries()) seen(s, versions[i] ?? null);
    return res.rows.filter((r) => r.id !== null).map(({ zq_versions, ...row }) => row);
  }
  return {
    async items(a, seen) {
      const values = [a.siteId, a.columnPath, a.kind, a.limit, a.afterAt, a.afterId];
      const under = !!(a.descendants && a.columnPath);
      if (!seen) {
        const text = under ? ITEMS_UNDER : ITEMS;
        onQuery?.(`[query] ${text}`);
        const res = await pool.query({ name: under ? 'zq_public_items_under' : 'zq_public_items', text, values });
        return res.rows;
      }
      // The site's content version in the same statement (one snapshot): an empty page is versioned too.
      const text = under ? ITEMS_UNDER_SEEN : ITEMS_SEEN;
      onQuery?.(`[query] ${text}`);
      const res = await pool.query<{ zq_version: string | null; id: string | null }>({
        name: under ? 'zq_public_items_under_seen' : 'zq_public_items_seen',
        text,
        values,
      });
      seen(a.siteId, res.rows[0]?.zq_version ?? null);
      return res.rows[0]?.id === null ? [] : res.rows;
    },
    async item(id, seen) {
      const text = seen ? ITEM_SEEN : ITEM;
      onQuery?.(`[query] ${text}`);
      const res = await pool.query<{ site_id: string; zq_version?: string | null }>({
        name: seen ? 'zq_public_item_seen' : 'zq_public_item',
        text,
        values: [id],
      });
      if (seen) {
        const row = res.rows[0];
        // Not found (or not public): nothing to keep, whatever the answer says.
        if (row) seen(row.site_id, row.zq_version ?? null);
        else seen(id, null);
      }
      return res.rows;
    },
    async route(siteId, columnPath, slug, seen) {
      const text = seen ? ROUTE_SEEN : ROUTE;
      onQuery?.(`[query] ${text}`);
      const known = trees.get(siteId);
      const res = await pool.query<{
        version: string;
        site: unknown;
        columns: unknown;
        items: unknown;
        zq_version?: string | null;
      }>({
        name: seen ? 'zq_public_route_seen' : 'zq_public_route',
        text,
        values: [siteId, columnPath, slug, known?.version ?? null],
      });
      const row = res.rows[0];
      seen?.(siteId, row?.zq_version ?? null);
      if (!row) {
        trees.delete(siteId);
        return [];
      }
      // The function leaves the site and its columns out when `known` is still the current version.
      let tree = known;
      if (row.site !== null || !tree) {
        tree = { version: row.version, site: row.site, columns: row.columns, memo: new Map() };
        trees.delete(siteId);
        if (trees.size >= MAX_TREES) trees.delete(trees.keys().next().value!);
        trees.set(siteId, tree);
      }
      return [{ site: tree.site, columns: tree.columns, items: row.items, memo: tree.memo }];
    },
    async columns(ids, siteIds, seen) {
      return versioned('zq_public_columns_seen', COLUMNS_SEEN, ids, siteIds, seen);
    },
    async links(itemIds, siteIds, seen) {
      const rows = await versioned('zq_public_links_seen', LINKS_SEEN, itemIds, siteIds, seen);
      // A linked item's own site (the same one today: links stay within a site) is reported as read too.
      if (seen)
        for (const r of rows as unknown as { site_id: string; site_version: string }[]) seen(r.site_id, r.site_version);
      return rows;
    },
    async columnNames(ids) {
      onQuery?.('[query] select * from zq_public_column_names($1)');
      const res = await pool.query({
        name: 'zq_public_column_names',
        text: 'select * from zq_public_column_names($1)',
        values: [ids],
      });
      return res.rows;
    },
    async versions(siteIds) {
      onQuery?.('[query] select zq_public_versions($1) as v');
      const res = await pool.query<{ v: (string | null)[] | null }>({
        name: 'zq_public_versions',
        text: 'select zq_public_versions($1) as v',
        values: [siteIds],
      });
      return res.rows[0]?.v ?? siteIds.map(() => null);
    },
    async columnLabels(siteIds): Promise<ColumnLabels> {
      onQuery?.('[query] select * from zq_public_column_labels($1, $2)');
      // What we hold as the statement is sent: a null `names` row means exactly that version is current.
      const sent = new Map(siteIds.map((id) => [id, labels.get(id)]));
      const res = await pool.query<{ site_id: string; version: string; names: Record<string, string> | null }>({
        name: 'zq_public_column_labels',
        text: 'select * from zq_public_column_labels($1, $2)',
        values: [siteIds, siteIds.map((id) => sent.get(id)?.version ?? null)],
      });
      const current: Map<string, string>[] = [];
      for (const row of res.rows) {
        if (row.names === null) {
          const held = sent.get(row.site_id);
          if (held) current.push(held.names);
          continue;
        }
        const fresh = { version: row.version, names: new Map(Object.entries(row.names)) };
        labels.delete(row.site_id);
        if (labels.size >= MAX_TREES) labels.delete(labels.keys().next().value!);
        labels.set(row.site_id, fresh);
        current.push(fresh.names);
      }
      return {
        get(columnId) {
          for (const names of current) {
            const name = names.get(columnId);
            if (name !== undefined) return name;
          }
          return undefined;
        },
      };
    },
    close: () => pool.end(),
    stats: () => poolStats(pool, max),
  };
}

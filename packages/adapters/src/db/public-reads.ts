import type { ColumnLabels, PublicReadPort } from '@zhanqun/core';
import pg from 'pg';

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
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'zhanqun-public' });
  // Sites' column trees as of a version; zq_public_route checks that version in the statement that reads the
  // page, so a tree changed through another instance is never served (issue 10; see migration 0020).
  const trees = new Map<string, { version: string; site: unknown; columns: unknown; memo: Map<string, unknown> }>();
  // Search's column-facet labels per site as of its tree version; zq_public_column_labels says, in the statement
  // asked while Meilisearch works, whether that version is still current (issue 10; migration 0024).
  const labels = new Map<string, { version: string; names: Map<string, string> }>();
  pool.on('error', () => {});
  return {
    async items(a) {
      onQuery?.('[query] select * from zq_public_items($1, $2, $3, $4, $5, $6)');
      const res = await pool.query({
        name: 'zq_public_items',
        text: 'select * from zq_public_items($1, $2, $3, $4, $5, $6)',
        values: [a.siteId, a.columnPath, a.kind, a.limit, a.afterAt, a.afterId],
      });
      return res.rows;
    },
    async item(id) {
      onQuery?.('[query] select * from zq_public_item($1)');
      const res = await pool.query({ name: 'zq_public_item', text: 'select * from zq_public_item($1)', values: [id] });
      return res.rows;
    },
    async route(siteId, columnPath, slug) {
      onQuery?.('[query] select * from zq_public_route($1, $2, $3, $4)');
      const known = trees.get(siteId);
      const res = await pool.query<{ version: string; site: unknown; columns: unknown; items: unknown }>({
        name: 'zq_public_route',
        text: 'select * from zq_public_route($1, $2, $3, $4)',
        values: [siteId, columnPath, slug, known?.version ?? null],
      });
      const row = res.rows[0];
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
    async columnNames(ids) {
      onQuery?.('[query] select * from zq_public_column_names($1)');
      const res = await pool.query({
        name: 'zq_public_column_names',
        text: 'select * from zq_public_column_names($1)',
        values: [ids],
      });
      return res.rows;
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

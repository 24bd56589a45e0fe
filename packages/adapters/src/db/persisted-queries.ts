import type { EntityManager } from '@mikro-orm/sql';

/**
 * Automatic persisted queries kept in PostgreSQL (migration 0012, table persisted_query): every API instance
 * behind the load balancer knows every query any of them has seen, so no instance holds state another needs.
 * The table holds query texts only (no content, no site), keyed by their SHA-256.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | undefined>;
  save(hash: string, query: string): Promise<void>;
}

export function persistedQueryStore(em: EntityManager): PersistedQueryStore {
  const recent = new Map<string, string>();
  const remember = (hash: string, query: string) => {
    // A small per-instance memo in front of the table; the table is the truth.
    if (recent.size >= 1000) recent.delete(recent.keys().next().value!);
    recent.set(hash, query);
  };
  return {
    async get(hash) {
      const hit = recent.get(hash);
      if (hit !== undefined) return hit;
      const [row] = await em
        .fork()
        .execute<{ query: string }[]>('select query from persisted_query where hash = ?', [hash]);
      if (row) remember(hash, row.query);
      return row?.query;
    },
    async save(hash, query) {
      await em
        .fork()
        .execute('insert into persisted_query (hash, query) values (?, ?) on conflict (hash) do nothing', [
          hash,
          query,
        ]);
      remember(hash, query);
    },
  };
}

import type { PersistedQueryStore } from '@zhanqun/adapters';
import mercurius from 'mercurius';

/**
 * Automatic persisted queries (the Apollo APQ protocol that Mercurius implements) over a store shared by every
 * API instance. A client sends `extensions.persistedQuery.sha256Hash`; unknown hashes answer
 * PersistedQueryNotFound and the client retries with the query, which is checked against its hash and saved.
 */
export function persistedQueries(store: PersistedQueryStore) {
  const defaults = mercurius.persistedQueryDefaults.automatic();
  return {
    ...defaults,
    getQueryFromHash: (hash: string) => store.get(hash),
    saveQuery: (hash: string, query: string) => store.save(hash, query),
  };
}

import type { EntityManager } from '@mikro-orm/sql';
import type { DirectoryEntry } from '@zhanqun/core';

/** Loads the site directory through its definer-rights function (the app role cannot read sites out of scope). */
export function directoryLoader(em: EntityManager): () => Promise<DirectoryEntry[]> {
  return async () => {
    const rows = await em.fork().execute<
      {
        id: string;
        code: string;
        name: string;
        kind: string;
        parent_id: string | null;
        status: string;
        hosts: string[];
        legacy_hosts: string[];
        cors_origins: string[];
      }[]
    >('select id, code, name, kind, parent_id, status, hosts, legacy_hosts, cors_origins from zq_site_directory()');
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      kind: r.kind as DirectoryEntry['kind'],
      parentId: r.parent_id,
      status: r.status as DirectoryEntry['status'],
      hosts: r.hosts,
      legacyHosts: r.legacy_hosts,
      corsOrigins: r.cors_origins,
    }));
  };
}

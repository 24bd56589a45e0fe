import type { SiteKind, SiteStatus } from './site.entity.ts';

export interface DirectoryEntry {
  id: string;
  code: string;
  name: string;
  kind: SiteKind;
  parentId: string | null;
  status: SiteStatus;
  /** Every host name of the site, the primary one first. */
  hosts: string[];
  /** Old host names among `hosts`: they answer 301 to the primary one (migration 0012). */
  legacyHosts?: string[];
  /** Browser origins besides the site's own hosts allowed to call the API (CORS, migration 0012). */
  corsOrigins?: string[];
}

/**
 * The platform's directory of sites: ids, codes, tree and host names. It is what the edge needs to resolve a
 * Host header or a site code before any site scope exists, and what delegated administration needs to know a
 * site's descendants. Kept in memory (sites change rarely, requests are many); reloaded after a TTL and at once
 * after a site change made by this process.
 */
export class SiteDirectory {
  #entries: DirectoryEntry[] = [];
  #byId = new Map<string, DirectoryEntry>();
  #byCode = new Map<string, DirectoryEntry>();
  #byHost = new Map<string, DirectoryEntry>();
  #children = new Map<string | null, DirectoryEntry[]>();
  #loadedAt = -Infinity;
  #version = 0;
  #loading: Promise<void> | null = null;
  readonly #load: () => Promise<DirectoryEntry[]>;
  readonly #ttlMs: number;

  constructor(load: () => Promise<DirectoryEntry[]>, opts: { ttlMs?: number } = {}) {
    this.#load = load;
    this.#ttlMs = opts.ttlMs ?? 5_000;
  }

  /** Reloads when stale; concurrent callers share one load. */
  async fresh(): Promise<this> {
    if (performance.now() - this.#loadedAt < this.#ttlMs) return this;
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = null;
    });
    await this.#loading;
    return this;
  }

  invalidate(): void {
    this.#loadedAt = -Infinity;
  }

  /** Invalidates and reloads at once: after a site change, the rest of the operation sees it. */
  async reload(): Promise<this> {
    if (this.#loading) await this.#loading;
    this.invalidate();
    return this.fresh();
  }

  async #reload(): Promise<void> {
    const startedAt = performance.now();
    const entries = await this.#load();
    this.#entries = entries;
    this.#byId = new Map(entries.map((e) => [e.id, e]));
    this.#byCode = new Map(entries.map((e) => [e.code, e]));
    this.#byHost = new Map(entries.flatMap((e) => e.hosts.map((h) => [h, e] as const)));
    this.#children = new Map();
    for (const e of entries) {
      const list = this.#children.get(e.parentId) ?? [];
      list.push(e);
      this.#children.set(e.parentId, list);
    }
    this.#loadedAt = startedAt;
    this.#version += 1;
  }

  /** Bumped on every reload: scoped sessions built from an older version are re-derived. */
  get version(): number {
    return this.#version;
  }

  all(): readonly DirectoryEntry[] {
    return this.#entries;
  }
  byId(id: string): DirectoryEntry | undefined {
    return this.#byId.get(id);
  }
  byCode(code: string): DirectoryEntry | undefined {
    return this.#byCode.get(code);
  }
  byHost(host: string): DirectoryEntry | undefined {
    return this.#byHost.get(host.toLowerCase().replace(/:\d+$/, ''));
  }
  /**
   * The site a request's host name names, if that site is public. A site still PREPARING answers exactly like a
   * host nobody uses: a host-based request must not reveal that a site is being built behind it.
   */
  publicByHost(host: string): DirectoryEntry | undefined {
    const entry = this.byHost(host);
    return entry && entry.status !== 'PREPARING' ? entry : undefined;
  }
  children(id: string | null): readonly DirectoryEntry[] {
    return this.#children.get(id) ?? [];
  }

  /** The site and every site below it. */
  subtree(id: string): string[] {
    const out: string[] = [];
    const walk = (sid: string) => {
      out.push(sid);
      for (const c of this.children(sid)) walk(c.id);
    };
    if (this.#byId.has(id)) walk(id);
    return out;
  }

  /** The site's ancestors, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let cur = this.#byId.get(id)?.parentId ?? null;
    while (cur && !out.includes(cur)) {
      out.push(cur);
      cur = this.#byId.get(cur)?.parentId ?? null;
    }
    return out;
  }
}

import type { EntityManager } from '@mikro-orm/sql';
import type { Actor } from '../access/actor.ts';
import type { MediaPort } from '../media/media.port.ts';
import type { HtmlWorkPort } from '../items/html-port.ts';
import type { ImportPort } from '../import/import.port.ts';
import type { SearchIndex } from '../search/search.port.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { forkForActor } from './scope.ts';

export interface CoreSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  apiTokenMaxDays: number;
  login: { maxFailures: number; windowSeconds: number; lockSeconds: number };
  /** Public writes (letters, …): hits per client address and per contact within the window. */
  publicWrites: { perAddress: number; perContact: number; windowSeconds: number };
  /** Signs preview tokens for drafts (issue 12); derived from the JWT secret by the adapters. */
  previewSecret?: string;
  /** Webhooks (issue 12): SSRF switch, auto-disable threshold, how long a rotated-out secret keeps signing. */
  webhooks?: { allowPrivateTargets: boolean; disableAfterFailures: number; rotationOverlapHours: number };
}

export const defaultCoreSettings: CoreSettings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlDays: 30,
  apiTokenMaxDays: 366,
  login: { maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
  publicWrites: { perAddress: 10, perContact: 5, windowSeconds: 3600 },
};

/** Signs short-lived access tokens; the edge provides it (core knows nothing of JWT libraries). */
export type AccessTokenSigner = (claims: { sub: string; sv: number }, ttlSeconds: number) => Promise<string> | string;

/** Background work a use case asks for after its transaction commits (pg-boss in production). */
export interface JobPort {
  /** Publish a scheduled item at `at`; a periodic sweep backs this up, so a lost job only delays by a minute. */
  schedulePublication(itemId: string, at: Date): Promise<void>;
  /** Make an uploaded file's renditions and extract its text, soon (media, issue 8). */
  processMedia?(mediaId: string): Promise<void>;
  /** Deliver one webhook event to one endpoint (retried with back-off; `manual`: an admin's redelivery). */
  deliverWebhook?(eventId: string, endpointId: string, opts?: { manual?: boolean }): Promise<void>;
  /** Run (plan, stage, apply) an import run in the worker; resumable, so enqueued again after a crash (issue 11). */
  runImport?(runId: string): Promise<void>;
}

/**
 * The proof-of-work challenge of public writes (ALTCHA in production, see adapters). `verify` checks the
 * solution and the challenge's HMAC signature and expiry; it does not know whether it was used before: core
 * records the signature (`altcha_spent`) in the write's own transaction.
 */
export interface ProofOfWorkPort {
  challenge(): Promise<Record<string, unknown>>;
  verify(payload: string): Promise<{ ok: boolean; signature: string | null; expiresAt: Date | null }>;
}

/**
 * The public read path's narrow doors (definer-rights functions), called with prepared statements and no
 * transaction: one round trip per request. Only ever returns public content.
 */
/**
 * Told by a public read which content version of which site its rows were read at (same statement, same
 * snapshot); null when the site is not public or nothing was found. Only the API's kept answers use it (ADR 0028).
 */
export type SeenVersion = (siteId: string, version: string | null) => void;

export interface PublicReadPort {
  items(
    args: {
      siteId: string;
      columnPath: string | null;
      kind: string | null;
      limit: number;
      afterAt: string | null;
      afterId: string | null;
      /** With a column path: the items of that column and of every column below it (zq_public_items_under). */
      descendants?: boolean;
    },
    seen?: SeenVersion,
  ): Promise<unknown[]>;
  /**
   * Items' home columns as the public may see them (visible, of a public site): zq_public_columns, whole rows.
   * `siteIds` are the sites of the items asked about; their versions are reported to `seen` (migration 0026).
   */
  columns(ids: string[], siteIds: string[], seen?: SeenVersion): Promise<unknown[]>;
  /**
   * 政策解读 ↔ 规范性文件 links of these items, both ways, to linked items the public may see (zq_public_links:
   * `of_id`, `side` and the list projection). `siteIds` as for `columns` (migration 0026).
   */
  links(itemIds: string[], siteIds: string[], seen?: SeenVersion): Promise<unknown[]>;
  /** The public item page: zq_public_item (0 or 1 row, with the body). */
  item(id: string, seen?: SeenVersion): Promise<unknown[]>;
  /**
   * route(host, path): zq_public_route — the site, its columns and the item(s) at (column path, slug), in one
   * statement (0 or 1 row). The port may hand out the same site and columns for as long as the function says
   * their version is current, with a `memo` map that lives exactly as long (for what core derives from them).
   */
  route(siteId: string, columnPath: string | null, slug: string | null, seen?: SeenVersion): Promise<unknown[]>;
  /** Names of visible columns of public sites among `ids` (search's column facet): zq_public_column_names. */
  columnNames(ids: string[]): Promise<unknown[]>;
  /**
   * The current content versions of the given sites, in order (null: no such site): zq_public_versions. A kept
   * public answer may be served while the versions it was computed at are still these (ADR 0028).
   */
  versions(siteIds: string[]): Promise<(string | null)[]>;
  /**
   * Names of the visible columns of these sites, by column id: search's column-facet labels, asked while
   * Meilisearch works (zq_public_column_labels, migration 0024). The port may keep a site's names for as long as
   * the function says the site's tree version is current. Optional: without it, labels come from columnNames
   * once the facet is known (one more round trip).
   */
  columnLabels?(siteIds: readonly string[]): Promise<ColumnLabels>;
}

/** Column names by id, as columnLabels answers them. */
export interface ColumnLabels {
  get(columnId: string): string | undefined;
}

/**
 * Everything a use case needs, passed explicitly: no globals, no container. The edge (GraphQL, REST, CLI, jobs,
 * tests) builds it once per operation.
 */
export interface Ctx {
  actor: Actor;
  /** Forked per operation; its database session is scoped to the sites the actor can reach (RLS). */
  em: EntityManager;
  /**
   * No site scope at all: row-level security shows nothing through it. Only for the narrow definer-rights
   * functions (public reads, directory), which then need no transaction: one round trip.
   */
  unscopedEm: EntityManager;
  directory: SiteDirectory;
  settings: CoreSettings;
  now: () => Date;
  requestId?: string;
  clientAddress?: string;
  signAccessToken?: AccessTokenSigner;
  jobs?: JobPort;
  /** The public search index (Meilisearch in production). */
  search?: SearchIndex;
  publicReads?: PublicReadPort;
  /** File storage and tools (media, issue 8). */
  media?: MediaPort;
  /** Heavy HTML work off the event loop (a worker-thread pool); absent: done inline. */
  html?: HtmlWorkPort;
  proofOfWork?: ProofOfWorkPort;
  /** Legacy sources and their uploads (issue 11). */
  importer?: ImportPort;
}

export interface CtxInit {
  actor: Actor;
  /** The root (or request) entity manager; the context derives its actor-scoped fork from it. */
  rootEm: EntityManager;
  directory: SiteDirectory;
  settings?: CoreSettings;
  now?: () => Date;
  requestId?: string;
  clientAddress?: string;
  signAccessToken?: AccessTokenSigner;
  jobs?: JobPort;
  search?: SearchIndex;
  publicReads?: PublicReadPort;
  media?: MediaPort;
  html?: HtmlWorkPort;
  proofOfWork?: ProofOfWorkPort;
  importer?: ImportPort;
}

/**
 * Builds a context whose `em` is scoped to the actor's reach. The scope is derived from the site directory and
 * re-derived when the directory changes (a site provisioned in this very operation becomes reachable at once).
 */
export function makeCtx(init: CtxInit): Ctx {
  let em: EntityManager | null = null;
  let version = -1;
  return {
    actor: init.actor,
    directory: init.directory,
    settings: init.settings ?? defaultCoreSettings,
    now: init.now ?? (() => new Date()),
    requestId: init.requestId,
    clientAddress: init.clientAddress,
    signAccessToken: init.signAccessToken,
    jobs: init.jobs,
    search: init.search,
    publicReads: init.publicReads,
    media: init.media,
    html: init.html,
    proofOfWork: init.proofOfWork,
    importer: init.importer,
    get unscopedEm() {
      return init.rootEm.fork();
    },
    get em() {
      // A scope derived from a directory never loaded would be empty and hide everything, silently.
      if (init.directory.version === 0) throw new Error('site directory not loaded: await ctx.directory.fresh() first');
      if (!em || version !== init.directory.version) {
        em = forkForActor(init.rootEm, init.actor, init.directory);
        version = init.directory.version;
      }
      return em;
    },
  };
}

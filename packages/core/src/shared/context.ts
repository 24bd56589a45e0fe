import type { EntityManager } from '@mikro-orm/core';
import type { Actor } from '../access/actor.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';

export interface CoreSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  apiTokenMaxDays: number;
  login: { maxFailures: number; windowSeconds: number; lockSeconds: number };
}

export const defaultCoreSettings: CoreSettings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlDays: 30,
  apiTokenMaxDays: 366,
  login: { maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
};

/** Signs short-lived access tokens; the edge provides it (core knows nothing of JWT libraries). */
export type AccessTokenSigner = (claims: { sub: string }, ttlSeconds: number) => Promise<string> | string;

/**
 * Everything a use case needs, passed explicitly: no globals, no container. The edge (GraphQL, REST, CLI, jobs,
 * tests) builds it once per operation.
 */
export interface Ctx {
  actor: Actor;
  /** Forked per operation; its database session is scoped to the sites the actor can reach (RLS). */
  em: EntityManager;
  directory: SiteDirectory;
  settings: CoreSettings;
  now: () => Date;
  requestId?: string;
  clientAddress?: string;
  signAccessToken?: AccessTokenSigner;
}

import type { EntityManager } from '@mikro-orm/sql';
import type { Actor } from '../access/actor.ts';
import { isPlatformWide, reachableSiteIds } from '../access/permissions.policy.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Ctx } from './context.ts';
import { SITE_FILTER, type SiteFilterArgs } from './site-filter.ts';

/**
 * The database session variables that row-level security reads (see migration 0001). Set per transaction
 * (`set_config(..., true)`), so a pooled connection never carries one request's scope into another.
 */
export function scopeSession(siteIds: readonly string[], opts: { userId?: string; platform?: boolean } = {}) {
  return {
    variables: {
      'zq.site_ids': siteIds.join(','),
      'zq.user_id': opts.userId ?? '',
      'zq.platform': opts.platform ? 'on' : '',
    },
  };
}

/** A fork of `em` scoped to everything `actor` may reach. */
export function forkForActor(em: EntityManager, actor: Actor, directory: SiteDirectory): EntityManager {
  return scopedFork(em, reachableSiteIds(actor, directory), {
    userId: actor.kind === 'user' ? actor.userId : undefined,
    platform: isPlatformWide(actor),
  });
}

/** Both layers at once: the RLS session variables and the ORM site filter, over the same site ids. */
function scopedFork(em: EntityManager, siteIds: readonly string[], opts: { userId?: string; platform?: boolean } = {}) {
  const fork = em.fork({ session: scopeSession(siteIds, opts) });
  fork.setFilterParams(SITE_FILTER, {
    siteIds: [...siteIds],
    userId: opts.userId,
    platform: opts.platform,
  } satisfies SiteFilterArgs);
  return fork;
}

/**
 * A fork whose scope also admits `extraSiteIds`: for provisioning, when the new site's id must be writable
 * inside the transaction that creates it. Only called after the permission check.
 */
export function forkWithSites(ctx: Ctx, extraSiteIds: readonly string[]): EntityManager {
  const ids = new Set([...reachableSiteIds(ctx.actor, ctx.directory), ...extraSiteIds]);
  return scopedFork(ctx.em, [...ids], {
    userId: ctx.actor.kind === 'user' ? ctx.actor.userId : undefined,
    platform: isPlatformWide(ctx.actor),
  });
}

/**
 * A read-only view of public sites for actors who cannot otherwise reach them (citizens, themes). Callers
 * must only return what is public: a site that is online, visible columns, published content.
 */
export function forkForPublicRead(ctx: Ctx, siteIds: readonly string[]): EntityManager {
  return scopedFork(ctx.em, siteIds);
}

/**
 * The actor's own reach plus the platform's audit chain, for one purpose only: recording an act on the actor's
 * own account (a password change), which belongs to no site. Only called by `changePassword`.
 */
export function forkForOwnAccountRecord(ctx: Ctx): EntityManager {
  return scopedFork(ctx.em, reachableSiteIds(ctx.actor, ctx.directory), {
    userId: ctx.actor.kind === 'user' ? ctx.actor.userId : undefined,
    platform: true,
  });
}

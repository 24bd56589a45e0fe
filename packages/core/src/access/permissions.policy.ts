import type { SiteRole } from '../people/membership.entity.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Actor } from './actor.ts';

/**
 * Delegated administration (pure rules):
 * - platform admins (the e-government office) and system actors manage every site;
 * - a site admin manages their site's columns, members and tokens, and those of every descendant;
 * - the site record itself (provisioning, settings, status) is managed from above: platform admins and the
 *   admins of an ancestor site, nobody else.
 */
export function isPlatformWide(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'user' && actor.platformAdmin);
}

export function hasSiteRole(actor: Actor, siteId: string, role: SiteRole): boolean {
  return actor.kind === 'user' && actor.memberships.some((m) => m.siteId === siteId && m.roles.includes(role));
}

/** Site admin of this site or of an ancestor (or platform-wide). */
export function canAdministerSite(actor: Actor, siteId: string, dir: SiteDirectory): boolean {
  if (isPlatformWide(actor)) return true;
  return [siteId, ...dir.ancestors(siteId)].some((id) => hasSiteRole(actor, id, 'SITE_ADMIN'));
}

/** Provisioning, settings and status of a site: platform-wide actors or admins of a strict ancestor. */
export function canManageSiteRecord(actor: Actor, siteId: string, dir: SiteDirectory): boolean {
  if (isPlatformWide(actor)) return true;
  return dir.ancestors(siteId).some((id) => hasSiteRole(actor, id, 'SITE_ADMIN'));
}

/** A new site under `parentId` (null: the city portal) may be created by whoever would manage its record. */
export function canProvisionUnder(actor: Actor, parentId: string | null, dir: SiteDirectory): boolean {
  if (isPlatformWide(actor)) return true;
  if (parentId === null) return false;
  return [parentId, ...dir.ancestors(parentId)].some((id) => hasSiteRole(actor, id, 'SITE_ADMIN'));
}

/**
 * The sites an actor can reach at all: the row-level-security scope of its transactions. Anything outside
 * it is invisible at the database, whatever the application code asks for.
 */
export function reachableSiteIds(actor: Actor, dir: SiteDirectory): string[] {
  if (isPlatformWide(actor)) return dir.all().map((e) => e.id);
  if (actor.kind === 'apiToken') return [actor.siteId];
  if (actor.kind !== 'user') return [];
  const ids = new Set<string>();
  for (const m of actor.memberships) {
    if (m.roles.includes('SITE_ADMIN')) for (const id of dir.subtree(m.siteId)) ids.add(id);
    else ids.add(m.siteId);
  }
  return [...ids];
}

/** The 互动交流 channel of every site template: where interaction handlers enter replies (2015 §4). */
export const INTERACTION_CHANNEL = '/hdjl';

/**
 * Who handles the letters, questions and requests of a site (2015 §4): its interaction handlers
 * (INTERACTION_HANDLER), and its admins (and admins above it, and platform admins). Nobody else sees the
 * personal data they carry.
 */
export function canHandleInteraction(actor: Actor, siteId: string, dir: SiteDirectory): boolean {
  return hasSiteRole(actor, siteId, 'INTERACTION_HANDLER') || canAdministerSite(actor, siteId, dir);
}

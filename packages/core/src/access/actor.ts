import type { ApiTokenScope } from '../auth/token.entities.ts';
import type { SiteRole } from '../people/membership.entity.ts';

export interface ActorMembership {
  siteId: string;
  roles: SiteRole[];
  /** When set, the content roles apply only to this column and its descendants. */
  columnId: string | null;
  /** The path of that column, so subtree checks need no query. */
  columnPath?: string | null;
  outsourced: boolean;
  outsourcedUntil: string | null;
}

/** Who is acting. Built once per request (or job, or CLI command) and passed down explicitly. */
export type Actor =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      platformAdmin: boolean;
      /** Active memberships only: expired outsourced memberships are dropped when the actor is built. */
      memberships: ActorMembership[];
    }
  | { kind: 'apiToken'; tokenId: string; siteId: string; name: string; scopes: ApiTokenScope[] }
  /** Operators' CLI, seeding and jobs: acts platform-wide, always under a named reason that is audited. */
  | { kind: 'system'; name: string };

export const anonymous: Actor = { kind: 'anonymous' };

/** 2015 §10: an outsourced membership stops working after its end date (the end date itself still counts). */
export function isMembershipActive(m: ActorMembership, today: string): boolean {
  return !m.outsourced || (m.outsourcedUntil !== null && m.outsourcedUntil >= today);
}

/** The calendar date in China Standard Time, which is what end dates and working days are counted in. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function actorLabel(actor: Actor): { type: string; id: string | null; name: string | null } {
  switch (actor.kind) {
    case 'user':
      return { type: 'USER', id: actor.userId, name: actor.name };
    case 'apiToken':
      return { type: 'API_TOKEN', id: actor.tokenId, name: actor.name };
    case 'system':
      return { type: 'SYSTEM', id: null, name: actor.name };
    default:
      return { type: 'ANONYMOUS', id: null, name: null };
  }
}

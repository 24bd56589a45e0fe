import type { EntityManager } from '@mikro-orm/sql';
import { type Actor, type ActorMembership, chinaDate, isMembershipActive } from '../access/actor.ts';
import { AppError } from '../errors/app-error.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import { secretHash } from './secrets.ts';
import type { ApiTokenScope } from './token.entities.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The actor behind a verified access token: one round trip (definer-rights function), with the memberships
 * that are active today. A disabled or deleted user is unauthenticated at once, whatever the token says.
 */
export async function loadUserActor(em: EntityManager, userId: unknown, now: Date): Promise<Actor> {
  // A validly signed token whose subject is not a user id is a bad credential (401), not a failed query (500).
  if (typeof userId !== 'string' || !UUID.test(userId)) throw new AppError('TOKEN_INVALID');
  const [row] = await em.execute<
    {
      id: string;
      email: string;
      name: string;
      disabled: boolean;
      platform_admin: boolean;
      memberships: ActorMembership[];
    }[]
  >('select * from zq_actor(?)', [userId]);
  if (!row || row.disabled) throw new AppError('TOKEN_INVALID');
  const today = chinaDate(now);
  return {
    kind: 'user',
    userId: row.id,
    email: row.email,
    name: row.name,
    platformAdmin: row.platform_admin,
    memberships: row.memberships
      .map((m: ActorMembership) => ({ ...m, roles: m.roles as SiteRole[] }))
      .filter((m: ActorMembership) => isMembershipActive(m, today)),
  };
}

/** The actor behind an API token (`zqt_…`): its site and scopes, if it is neither expired nor revoked. */
export async function loadApiTokenActor(em: EntityManager, token: string, now: Date): Promise<Actor> {
  const [row] = await em.execute<
    { id: string; site_id: string; name: string; scopes: ApiTokenScope[]; expires_at: Date; revoked_at: Date | null }[]
  >('select * from zq_api_token(?, ?)', [secretHash(token), now]);
  if (!row || row.revoked_at) throw new AppError('TOKEN_INVALID');
  if (new Date(row.expires_at) <= now) throw new AppError('TOKEN_EXPIRED');
  return { kind: 'apiToken', tokenId: row.id, siteId: row.site_id, name: row.name, scopes: row.scopes };
}

import {
  createApiToken,
  type CreateApiTokenInput,
  login,
  logout,
  Membership,
  refreshSession,
  revokeApiToken,
  User,
} from '@zhanqun/core';
import type { GqlContext } from '../context.ts';

export const authResolvers = {
  Query: {
    async me(_: unknown, __: unknown, { zq }: GqlContext) {
      if (zq.actor.kind !== 'user') return null;
      const actor = zq.actor;
      const user = await zq.em.findOne(User, { id: actor.userId });
      const active = new Set(actor.memberships.map((m) => m.siteId));
      const memberships = (await zq.em.find(Membership, { userId: actor.userId })).filter((m) => active.has(m.siteId));
      return { user, platformAdmin: actor.platformAdmin, memberships };
    },
  },
  Mutation: {
    login: (_: unknown, args: { email: string; password: string }, { zq }: GqlContext) => login(zq, args),
    refreshSession: (_: unknown, args: { refreshToken: string }, { zq }: GqlContext) =>
      refreshSession(zq, args.refreshToken),
    logout: (_: unknown, args: { refreshToken: string }, { zq }: GqlContext) => logout(zq, args.refreshToken),
    createApiToken: (_: unknown, args: { input: CreateApiTokenInput }, { zq }: GqlContext) =>
      createApiToken(zq, args.input),
    revokeApiToken: (_: unknown, args: { id: string }, { zq }: GqlContext) => revokeApiToken(zq, args.id),
  },
};

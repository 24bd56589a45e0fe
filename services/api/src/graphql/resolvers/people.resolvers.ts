import {
  type AddMemberInput,
  addMember,
  type ChangePasswordInput,
  changePassword,
  type ResetPasswordInput,
  resetPassword,
  type SetUserDisabledInput,
  setUserDisabled,
  chinaDate,
  type CreateUserInput,
  createUser,
  isMembershipActive,
  type Membership,
  removeMember,
  type UpdateMemberInput,
  updateMember,
} from '@zhanqun/core';
import type { GqlContext } from '../context.ts';

export const peopleResolvers = {
  Mutation: {
    changePassword: (_: unknown, args: { input: ChangePasswordInput }, { zq }: GqlContext) =>
      changePassword(zq, args.input),
    resetPassword: (_: unknown, args: { input: ResetPasswordInput }, { zq }: GqlContext) =>
      resetPassword(zq, args.input),
    setUserDisabled: (_: unknown, args: { input: SetUserDisabledInput }, { zq }: GqlContext) =>
      setUserDisabled(zq, args.input),
    createUser(_: unknown, args: { input: CreateUserInput }, ctx: GqlContext) {
      return createUser(ctx.zq, args.input);
    },
    addMember(_: unknown, args: { input: AddMemberInput }, ctx: GqlContext) {
      return addMember(ctx.zq, args.input);
    },
    updateMember(_: unknown, args: { input: UpdateMemberInput }, ctx: GqlContext) {
      return updateMember(ctx.zq, args.input);
    },
    removeMember(_: unknown, args: { id: string }, ctx: GqlContext) {
      return removeMember(ctx.zq, args.id);
    },
  },
  Membership: {
    active: (m: Membership, _: unknown, { zq }: GqlContext) =>
      isMembershipActive(
        {
          siteId: m.siteId,
          roles: [],
          columnId: null,
          outsourced: m.outsourced,
          outsourcedUntil: m.outsourcedUntil ?? null,
        },
        chinaDate(zq.now()),
      ),
  },
};

import {
  type CreateColumnInput,
  createColumn,
  deleteColumn,
  type MoveColumnInput,
  moveColumn,
  type SetColumnNamesInput,
  setColumnNames,
  type UpdateColumnInput,
  updateColumn,
} from '@zhanqun/core';
import type { GqlContext } from '../context.ts';

export const columnResolvers = {
  Mutation: {
    createColumn(_: unknown, args: { input: CreateColumnInput }, ctx: GqlContext) {
      return createColumn(ctx.zq, args.input);
    },
    updateColumn(_: unknown, args: { input: UpdateColumnInput }, ctx: GqlContext) {
      return updateColumn(ctx.zq, args.input);
    },
    moveColumn(_: unknown, args: { input: MoveColumnInput }, ctx: GqlContext) {
      return moveColumn(ctx.zq, args.input);
    },
    deleteColumn(_: unknown, args: { id: string }, ctx: GqlContext) {
      return deleteColumn(ctx.zq, args.id);
    },
    setColumnNames(_: unknown, args: SetColumnNamesInput, ctx: GqlContext) {
      return setColumnNames(ctx.zq, args);
    },
  },
  Column: {
    names: (c: { names?: Record<string, string> | null }) =>
      Object.entries(c.names ?? {}).map(([locale, name]) => ({ locale, name })),
  },
};

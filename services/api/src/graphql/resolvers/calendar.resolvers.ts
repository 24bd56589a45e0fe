import {
  type AddWorkdaysInput,
  addWorkdaysFor,
  readWorkdayYear,
  type SetWorkdayExceptionsInput,
  setWorkdayExceptions,
  type WorkdayException,
} from '@zhanqun/core';
import type { GqlContext } from '../context.ts';

export const calendarResolvers = {
  Query: {
    workdayCalendar: (_: unknown, args: { year: number; site?: string | null }, { zq }: GqlContext) =>
      readWorkdayYear(zq, args),
    addWorkdays: (_: unknown, args: AddWorkdaysInput, { zq }: GqlContext) => addWorkdaysFor(zq, args),
  },
  Mutation: {
    setWorkdayExceptions: (_: unknown, args: { input: SetWorkdayExceptionsInput }, { zq }: GqlContext) =>
      setWorkdayExceptions(zq, args.input),
  },
  WorkdayException: {
    site: (e: WorkdayException, _: unknown, { zq }: GqlContext) =>
      e.siteId ? (zq.directory.byId(e.siteId)?.code ?? null) : null,
  },
};

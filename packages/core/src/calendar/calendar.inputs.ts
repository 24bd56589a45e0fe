import { z } from 'zod';
import { toDate, toIso } from './workday.policy.ts';

const isCalendarDate = (s: string) => {
  const d = toDate(s);
  return !Number.isNaN(d.getTime()) && toIso(d) === s;
};

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');

const isWeekend = (iso: string) => [0, 6].includes(toDate(iso).getUTCDay());

/** Years the calendar can hold (the tables have no range of their own; this keeps typos out). */
export const calendarYear = z.number().int().min(1949).max(2100);

export const addWorkdaysInput = z.object({
  date: isoDate,
  // site_column.deadline_amount allows 1–365; a longer count is not a deadline anyone sets.
  days: z.number().int().min(1).max(365),
  site: z.string().nullish(),
});
export type AddWorkdaysInput = z.input<typeof addWorkdaysInput>;

const dayInput = z.object({ date: isoDate, off: z.boolean(), name: z.string().trim().min(1).max(100) });

function dayProblem(d: { date: string; off: boolean }, year: number, seen: ReadonlySet<string>): string | null {
  if (Number(d.date.slice(0, 4)) !== year) return `${d.date} is not in ${year}`;
  if (seen.has(d.date)) return `${d.date} is listed twice`;
  if (d.off && isWeekend(d.date)) return `${d.date} is a weekend day, off anyway: only weekdays can be days off`;
  if (!d.off && !isWeekend(d.date)) {
    return `${d.date} is a weekday, a working day anyway: only weekend days can be make-up working days`;
  }
  return null;
}

/**
 * One year's exceptions for one scope (national, or one site's region). Only real exceptions are accepted:
 * a day off must be a weekday and a make-up working day (调休上班) a weekend day (条例 §6–7, gov-standards d.1);
 * anything else would be a no-op row that hides a typo in the date.
 */
export const setWorkdayExceptionsInput = z
  .object({
    year: calendarYear,
    site: z.string().nullish(),
    source: z.string().trim().min(1, "the notice's URL or 文号 is required").max(500),
    days: z.array(dayInput).min(1, 'at least one day').max(366),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.days.forEach((d, i) => {
      const problem = dayProblem(d, v.year, seen);
      if (problem) ctx.addIssue({ code: 'custom', path: ['days', i, 'date'], message: problem });
      seen.add(d.date);
    });
  });
export type SetWorkdayExceptionsInput = z.input<typeof setWorkdayExceptionsInput>;

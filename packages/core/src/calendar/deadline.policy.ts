import { AppError } from '../errors/app-error.ts';
import { addWorkdays, type WorkdayCalendar } from './workday.policy.ts';

/**
 * How a column sets the publishing deadline of its items (`site_column.deadline_rule`):
 * - BY_KIND (the default, also when unset): the city's rules per item kind, below;
 * - NONE: no deadline (basic information is updated when it changes, 2015 §2);
 * - HOURS_AFTER_OCCURRED: `amount` natural hours (default 24) after the event;
 * - WORKDAYS_AFTER_ISSUED: `amount` working days (default 3) after the paper document was issued.
 */
export type DeadlineRule = 'BY_KIND' | 'NONE' | 'HOURS_AFTER_OCCURRED' | 'WORKDAYS_AFTER_ISSUED';

export interface DeadlineInput {
  rule: DeadlineRule | null;
  amount: number | null;
  kind: string;
  occurredAt: Date | null;
  /** When the activity ended; the hours count from here when known (2015 §2: 活动结束后 24 小时内). */
  endedAt?: Date | null;
  /** 事关民生的重要政务活动 (2015 §2): by kind, only these articles are bound to 24 hours. */
  importantLivelihood?: boolean | null;
  /** The issuing date of the paper document, YYYY-MM-DD (China Standard Time). */
  issuedAt: string | null;
}

const HOUR = 3_600_000;

/** 24:00 China Standard Time (UTC+8, no daylight saving) of a date, i.e. 16:00 UTC of that same date. */
export function endOfChinaDay(iso: string): Date {
  return new Date(`${iso}T16:00:00.000Z`);
}

/**
 * `hours` natural hours after the activity ended (or, without an end time, after it took place). A rule that
 * counts from the activity needs its time: an item without it is refused (issue 7: leaving `occurredAt` out
 * used to mean no deadline at all).
 */
function hoursAfterActivity(input: DeadlineInput, hours: number): Date {
  // gov-standards §d.2: hour limits count natural hours, never the working-day calendar.
  const from = input.endedAt ?? input.occurredAt;
  if (!from || !input.occurredAt) throw new AppError('ACTIVITY_TIME_REQUIRED', undefined, { field: 'occurredAt' });
  return new Date(from.getTime() + hours * HOUR);
}

function workdaysAfter(issuedAt: string | null, days: number, cal: WorkdayCalendar): Date | null {
  // Civil Code §201: the issuing day does not count; the deadline is the whole Nth working day after it.
  return issuedAt ? endOfChinaDay(addWorkdays(cal, issuedAt, days)) : null;
}

/**
 * The date a column's deadline rule counts from, when the item lacks it: `occurredAt` for a rule that counts from
 * the activity (HOURS_AFTER_OCCURRED, and BY_KIND for an important livelihood activity, 2015 §2), `issuedAt` for
 * one that counts working days from the paper issue (WORKDAYS_AFTER_ISSUED, 2015 §2 / 2017 §1.1). Without it the
 * rule would give no deadline at all — an item would escape the timeliness it is measured by — so saving such an
 * item and signing it at level 3 are refused. (BY_KIND policy documents are the exception at save: a draft may
 * wait for its issue date; level 3 refuses it as a required field.)
 */
export function missingDeadlineDate(
  input: Pick<DeadlineInput, 'rule' | 'kind' | 'occurredAt' | 'importantLivelihood' | 'issuedAt'>,
):
  | { reason: 'ACTIVITY_TIME_REQUIRED'; field: 'occurredAt' }
  | { reason: 'ISSUE_DATE_REQUIRED'; field: 'issuedAt' }
  | null {
  const rule = input.rule ?? 'BY_KIND';
  const needsActivity =
    rule === 'HOURS_AFTER_OCCURRED' || (rule === 'BY_KIND' && input.kind === 'ARTICLE' && !!input.importantLivelihood);
  if (needsActivity && !input.occurredAt) return { reason: 'ACTIVITY_TIME_REQUIRED', field: 'occurredAt' };
  if (rule === 'WORKDAYS_AFTER_ISSUED' && !input.issuedAt) return { reason: 'ISSUE_DATE_REQUIRED', field: 'issuedAt' };
  return null;
}

/**
 * The instant an item must be online by, or null when no rule applies (or a BY_KIND policy document has no issue
 * date yet). Throws ACTIVITY_TIME_REQUIRED / ISSUE_DATE_REQUIRED when the column's rule needs a date the item
 * lacks (missingDeadlineDate), and CALENDAR_YEAR_MISSING when a working-day count runs into a year without calendar data.
 */
export function computeDeadline(input: DeadlineInput, cal: WorkdayCalendar): Date | null {
  const missing = missingDeadlineDate(input);
  if (missing) throw new AppError(missing.reason, undefined, { field: missing.field });
  switch (input.rule ?? 'BY_KIND') {
    case 'NONE':
      return null;
    case 'HOURS_AFTER_OCCURRED':
      return hoursAfterActivity(input, input.amount ?? 24);
    case 'WORKDAYS_AFTER_ISSUED':
      return workdaysAfter(input.issuedAt, input.amount ?? 3, cal);
    default:
      // 2015 §2: 事关民生的重要政务活动信息 online within 24 hours after the activity ends; other news has no
      // such deadline (the flag says which is which).
      if (input.kind === 'ARTICLE') return input.importantLivelihood ? hoursAfterActivity(input, 24) : null;
      // 2015 §2 / 2017 §1.1: normative documents online within 3 working days of the paper issue.
      if (input.kind === 'POLICY_DOCUMENT') return workdaysAfter(input.issuedAt, 3, cal);
      return null;
  }
}

/**
 * - ON_TIME / LATE: published, at or before the deadline / after it;
 * - OVERDUE: not published and the deadline has passed;
 * - DUE_SOON: not published, at most 24 hours left (the deadline itself included);
 * - null: no deadline, or not published with more than 24 hours left (pending, nothing to flag yet).
 */
export type Timeliness = 'ON_TIME' | 'LATE' | 'DUE_SOON' | 'OVERDUE';

const DUE_SOON_WINDOW = 24 * HOUR;

export function timelinessOf(
  item: { deadlineAt: Date | null; publishedAt: Date | null },
  now: Date,
): Timeliness | null {
  const { deadlineAt, publishedAt } = item;
  if (!deadlineAt) return null;
  if (publishedAt) return publishedAt.getTime() <= deadlineAt.getTime() ? 'ON_TIME' : 'LATE';
  const left = deadlineAt.getTime() - now.getTime();
  if (left < 0) return 'OVERDUE';
  return left <= DUE_SOON_WINDOW ? 'DUE_SOON' : null;
}

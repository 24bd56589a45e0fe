import { isAppError } from '../../errors/app-error.ts';
import { addWorkdays, type WorkdayCalendar } from '../../calendar/workday.policy.ts';

/** 2015 §4: valuable suggestions answered within 7 working days, complex ones within 15. */
export const LETTER_REPLY_WORKDAYS = 7;
export const LETTER_EXTENDED_WORKDAYS = 15;

export interface LetterDeadline {
  /** The last day a reply is on time (China Standard Time), or null when the calendar cannot say. */
  dueOn: string | null;
  /** True when the count ran into a year without calendar data: the letter is kept, the deadline flagged. */
  uncomputable: boolean;
}

/**
 * The reply deadline of a letter: 7 working days after the day of receipt (Civil Code §201: the day of receipt
 * does not count), 15 once extended (2015 §4). Extending moves the deadline from receipt, never from the
 * extension, so the clock keeps running. A year without calendar data must not refuse a citizen's letter
 * (gov-standards §d.4: never guess a holiday either): the deadline is reported as uncomputable instead.
 */
export function letterDeadline(cal: WorkdayCalendar, receivedOn: string, extended: boolean): LetterDeadline {
  try {
    const n = extended ? LETTER_EXTENDED_WORKDAYS : LETTER_REPLY_WORKDAYS;
    return { dueOn: addWorkdays(cal, receivedOn, n), uncomputable: false };
  } catch (e) {
    if (isAppError(e) && e.reason === 'CALENDAR_YEAR_MISSING') return { dueOn: null, uncomputable: true };
    throw e;
  }
}

export type LetterStatus = 'RECEIVED' | 'ACCEPTED' | 'INVALID' | 'ANSWERED' | 'CLOSED';
export type LetterAction = 'accept' | 'markInvalid' | 'assign' | 'transfer' | 'extend' | 'reply' | 'close';

/**
 * 受理 → 办理 → 答复 (2015 §4). A received letter is accepted as valid or marked invalid; assignment and
 * transfer are possible until it is answered; a valid letter ends answered, or closed as unhandleable with an
 * explanation to the writer. Invalid, answered and closed letters are final.
 */
const allowed: Record<LetterStatus, readonly LetterAction[]> = {
  RECEIVED: ['accept', 'markInvalid', 'assign', 'transfer'],
  ACCEPTED: ['assign', 'transfer', 'extend', 'reply', 'close'],
  INVALID: [],
  ANSWERED: [],
  CLOSED: [],
};

export function canDoOnLetter(status: LetterStatus, action: LetterAction): boolean {
  return allowed[status].includes(action);
}

/** The national inspection vetoes a site with a valid letter unanswered for more than 3 months. */
export function isVetoOverdue(receivedAt: Date, now: Date): boolean {
  // Calendar months; 31 January + 3 months is 30 April (the month's last day), never 1 May.
  const target = new Date(receivedAt);
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + 3);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return now.getTime() > target.getTime();
}

/** Median of a list of numbers (null for an empty list). */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

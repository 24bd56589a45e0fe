import { AppError } from '../errors/app-error.ts';

/**
 * 工作日: Monday to Friday, except statutory holidays (off) and 调休 make-up days (on, usually a weekend day).
 * The rules change (2025: 13 statutory days instead of 11) and whole days were added ad hoc (2015-09-03,
 * 2020 Spring Festival), so nothing is derived by formula: every year needs its published exceptions, and a
 * year without them is an error, never a guess (gov-standards §d.4).
 */
export interface WorkdayCalendar {
  /** Years whose exceptions are loaded (national data, plus the site's region where it has its own rows). */
  years: ReadonlySet<number>;
  /** Weekdays that are off. */
  off: ReadonlySet<string>;
  /** Weekend days that are working days. */
  on: ReadonlySet<string>;
}

const DAY = 86_400_000;

export function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}
export function toIso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function requireYear(cal: WorkdayCalendar, iso: string): void {
  const year = Number(iso.slice(0, 4));
  if (!cal.years.has(year)) {
    throw new AppError('CALENDAR_YEAR_MISSING', `The working-day calendar has no data for ${year}`, {
      details: { year },
    });
  }
}

export function isWorkday(cal: WorkdayCalendar, iso: string): boolean {
  requireYear(cal, iso);
  if (cal.off.has(iso)) return false;
  if (cal.on.has(iso)) return true;
  const dow = toDate(iso).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The date N working days after an event. Civil Code §201: the day of the event does not count; counting
 * starts the next day. The Nth working day is the deadline (it is a working day itself, so §203 never applies).
 */
export function addWorkdays(cal: WorkdayCalendar, eventDate: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new Error('n must be a positive integer');
  let d = toDate(eventDate);
  let counted = 0;
  while (counted < n) {
    d = new Date(d.getTime() + DAY);
    if (isWorkday(cal, toIso(d))) counted += 1;
  }
  return toIso(d);
}

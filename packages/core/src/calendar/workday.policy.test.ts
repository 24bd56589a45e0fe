import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { addWorkdays, isWorkday, type WorkdayCalendar } from './workday.policy.ts';

// Exceptions as published by the State Council for these years (the same rows the seed loads).
const cal: WorkdayCalendar = {
  years: new Set([2015, 2020, 2024]),
  off: new Set([
    '2024-02-12',
    '2024-02-13',
    '2024-02-14',
    '2024-02-15',
    '2024-02-16', // 春节 (Mon–Fri; 10–11, 17 are weekend)
    '2024-10-01',
    '2024-10-02',
    '2024-10-03',
    '2024-10-04',
    '2024-10-07', // 国庆
    '2015-09-03',
    '2015-09-04', // 抗战胜利70周年
    '2020-01-24',
    '2020-01-27',
    '2020-01-28',
    '2020-01-29',
    '2020-01-30',
    '2020-01-31', // 春节, extended to 2 Feb
  ]),
  on: new Set(['2024-02-04', '2024-02-18', '2024-09-29', '2024-10-12', '2015-09-06']),
};

describe('working days', () => {
  it.each([
    ['2024-09-27', 20, '2024-10-30'], // 9-29 (Sun) and 10-12 (Sat) are make-up days; 10-1..7 are off
    ['2024-09-27', 7, '2024-10-12'], // lands on the Saturday make-up day
    ['2024-02-08', 7, '2024-02-23'], // 2-9 除夕 is a working day in 2024; 2-18 (Sun) is a make-up day
    ['2024-09-27', 1, '2024-09-29'], // Sunday make-up day counts
    ['2015-09-02', 1, '2015-09-06'], // 9-3 and 9-4 off, 9-5 Saturday, 9-6 Sunday make-up
    ['2020-01-23', 1, '2020-02-03'], // the 2020 Spring Festival extension
  ])('%s + %i working days = %s', (from, n, expected) => {
    expect(addWorkdays(cal, from, n)).toBe(expected);
  });

  it('does not count the day of the event (Civil Code §201)', () => {
    expect(addWorkdays(cal, '2024-03-04', 1)).toBe('2024-03-05');
  });

  it('knows weekends and exceptions', () => {
    expect(isWorkday(cal, '2024-02-09')).toBe(true);
    expect(isWorkday(cal, '2024-02-10')).toBe(false);
    expect(isWorkday(cal, '2024-02-18')).toBe(true);
  });

  it('refuses to guess for a year without data', () => {
    try {
      addWorkdays(cal, '2024-12-27', 5);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).reason).toBe('CALENDAR_YEAR_MISSING');
      expect((e as AppError).details).toEqual({ year: 2025 });
    }
  });
});

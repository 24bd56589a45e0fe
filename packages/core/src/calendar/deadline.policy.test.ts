import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import {
  computeDeadline,
  type DeadlineInput,
  endOfChinaDay,
  type Timeliness,
  timelinessOf,
} from './deadline.policy.ts';
import type { WorkdayCalendar } from './workday.policy.ts';

// The 2024 exceptions as published by the State Council (the same rows the seed loads).
const cal: WorkdayCalendar = {
  years: new Set([2024]),
  off: new Set([
    ...'2024-02-12 2024-02-13 2024-02-14 2024-02-15 2024-02-16'.split(' '), // 春节
    ...'2024-10-01 2024-10-02 2024-10-03 2024-10-04 2024-10-07'.split(' '), // 国庆
  ]),
  on: new Set(['2024-02-04', '2024-02-18', '2024-09-29', '2024-10-12']),
};

const at = (iso: string) => new Date(iso);
const input = (over: Partial<DeadlineInput>): DeadlineInput => ({
  rule: null,
  amount: null,
  kind: 'ARTICLE',
  occurredAt: null,
  issuedAt: null,
  ...over,
});

describe('computeDeadline', () => {
  const workdays = (issuedAt: string | null, amount: number | null = null): Partial<DeadlineInput> => ({
    rule: 'WORKDAYS_AFTER_ISSUED',
    amount,
    issuedAt,
  });
  const hours = (occurredAt: Date | null, amount: number | null = null): Partial<DeadlineInput> => ({
    rule: 'HOURS_AFTER_OCCURRED',
    amount,
    occurredAt,
  });
  const policy = (issuedAt: string | null): Partial<DeadlineInput> => ({ kind: 'POLICY_DOCUMENT', issuedAt });
  const morning = at('2024-03-04T02:00:00Z');

  it.each<[string, Partial<DeadlineInput>, string | null]>([
    // gov-standards §d.2 examples: the deadline is the whole Nth working day, to 24:00 China time.
    ['20 working days over 国庆', workdays('2024-09-27', 20), '2024-10-30T16:00:00.000Z'],
    ['7 working days, ending on a make-up Saturday', workdays('2024-09-27', 7), '2024-10-12T16:00:00.000Z'],
    ['7 working days over 春节', workdays('2024-02-08', 7), '2024-02-23T16:00:00.000Z'],
    ['WORKDAYS_AFTER_ISSUED defaults to 3', workdays('2024-09-27'), '2024-10-08T16:00:00.000Z'],
    // 2015 §2 / 2017 §1.1: a normative document within 3 working days (9-29 Sun make-up, 9-30, 10-8).
    ['a policy document by kind', policy('2024-09-27'), '2024-10-08T16:00:00.000Z'],
    ['a policy document, BY_KIND said', { ...policy('2024-03-04'), rule: 'BY_KIND' }, '2024-03-07T16:00:00.000Z'],
    ['a policy document without its issuing date', { ...policy(null), occurredAt: morning }, null],
    // 2015 §2: important livelihood activities within 24 natural hours after they end, holidays or not.
    [
      'an important livelihood activity by kind',
      { occurredAt: at('2024-10-01T10:30:00Z'), importantLivelihood: true },
      '2024-10-02T10:30:00.000Z',
    ],
    [
      'counted from the end of the activity',
      { occurredAt: at('2024-10-01T02:00:00Z'), endedAt: at('2024-10-01T10:30:00Z'), importantLivelihood: true },
      '2024-10-02T10:30:00.000Z',
    ],
    ['other activity news has no deadline', { occurredAt: at('2024-10-01T10:30:00Z') }, null],
    ['an ordinary article without its activity time', { issuedAt: '2024-03-04' }, null],
    ['HOURS_AFTER_OCCURRED with an amount', hours(morning, 8), '2024-03-04T10:00:00.000Z'],
    ['HOURS_AFTER_OCCURRED defaults to 24', { ...hours(morning), kind: 'NOTICE' }, '2024-03-05T02:00:00.000Z'],
    ['NONE', { ...policy('2024-03-04'), rule: 'NONE', occurredAt: morning }, null],
    ['another kind by kind', { kind: 'NOTICE', issuedAt: '2024-03-04', occurredAt: morning }, null],
  ])('%s', (_label, over, expected) => {
    expect(computeDeadline(input(over), cal)?.toISOString() ?? null).toBe(expected);
  });

  it.each<[string, Partial<DeadlineInput>]>([
    ['HOURS_AFTER_OCCURRED', { ...hours(null), issuedAt: '2024-03-04' }],
    ['an important livelihood activity by kind', { importantLivelihood: true }],
    ['an end time without the start', { importantLivelihood: true, endedAt: at('2024-10-01T10:30:00Z') }],
  ])('refuses an item without the activity time its rule needs: %s', (_label, over) => {
    expect(() => computeDeadline(input(over), cal)).toThrow(/activity/);
  });

  it.each<[string, Partial<DeadlineInput>]>([
    ['WORKDAYS_AFTER_ISSUED', { ...workdays(null), occurredAt: morning }],
    ['WORKDAYS_AFTER_ISSUED for a policy document', { ...workdays(null), kind: 'POLICY_DOCUMENT' }],
  ])('refuses an item without the issue date its rule needs: %s', (_label, over) => {
    const run = () => computeDeadline(input(over), cal);
    expect(run).toThrow(AppError);
    try {
      run();
    } catch (e) {
      expect([(e as AppError).reason, (e as AppError).field]).toEqual(['ISSUE_DATE_REQUIRED', 'issuedAt']);
    }
  });

  it('ends the day at 24:00 China Standard Time', () => {
    expect(endOfChinaDay('2024-10-30').toISOString()).toBe('2024-10-30T16:00:00.000Z');
  });

  it('refuses to guess when the count runs into a year without data', () => {
    const run = () => computeDeadline(input({ kind: 'POLICY_DOCUMENT', issuedAt: '2024-12-30' }), cal);
    expect(run).toThrow(AppError);
    expect(run).toThrow(/no data for 2025/);
  });
});

describe('timelinessOf', () => {
  const deadlineAt = at('2024-10-08T16:00:00.000Z');
  const later = '2024-10-20T00:00:00Z';
  it.each<[string, Date | null, Date | null, string, Timeliness | null]>([
    ['published before the deadline', deadlineAt, at('2024-10-08T01:00:00Z'), later, 'ON_TIME'],
    ['published at the deadline itself', deadlineAt, deadlineAt, later, 'ON_TIME'],
    ['published after the deadline', deadlineAt, at('2024-10-08T16:00:01Z'), later, 'LATE'],
    ['published late, looked at early', deadlineAt, at('2024-10-09T00:00:00Z'), '2024-10-01T00:00:00Z', 'LATE'],
    ['not published, deadline passed', deadlineAt, null, '2024-10-08T16:00:01Z', 'OVERDUE'],
    ['not published, at the deadline', deadlineAt, null, '2024-10-08T16:00:00Z', 'DUE_SOON'],
    ['not published, exactly 24 h left', deadlineAt, null, '2024-10-07T16:00:00Z', 'DUE_SOON'],
    ['not published, more than 24 h left (pending)', deadlineAt, null, '2024-10-07T15:59:59Z', null],
    ['no deadline', null, null, later, null],
    ['no deadline, published', null, at('2024-10-08T01:00:00Z'), later, null],
  ])('%s', (_label, deadline, publishedAt, now, expected) => {
    expect(timelinessOf({ deadlineAt: deadline, publishedAt }, at(now))).toBe(expected);
  });
});

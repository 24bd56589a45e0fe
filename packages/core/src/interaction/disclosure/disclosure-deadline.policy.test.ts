import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.ts';
import { cal2026 } from '../calendar-2026.fixture.ts';
import { disclosureDueOn, receiptDate } from './disclosure-deadline.policy.ts';

describe('disclosure on request: due date (条例 2019 §30–§33)', () => {
  it.each([
    // case, clock, due
    ['received the Friday before National Day: 20 working days', { receivedOn: '2026-09-25' }, '2026-10-29'],
    ['extended by 20 with the office head’s approval', { receivedOn: '2026-09-25', extended: true }, '2026-11-26'],
    [
      'a correction (补正) restarts the 20 days from the corrected request',
      { receivedOn: '2026-09-25', correctedOn: '2026-10-09' },
      '2026-11-05',
    ],
    [
      'third-party consultation time (15 working days) is not counted',
      { receivedOn: '2026-09-25', pauses: [{ from: '2026-10-12', to: '2026-10-30' }] },
      '2026-11-19',
    ],
  ])('%s', (_case, clock, due) => {
    expect(disclosureDueOn(cal2026, clock)).toBe(due);
  });

  it('a year without calendar data is an error, never a guess', () => {
    expect(() => disclosureDueOn(cal2026, { receivedOn: '2026-12-10' })).toThrow(AppError);
  });
});

describe('receipt date by channel (条例 §31)', () => {
  const dates = { submittedOn: '2026-09-25', signedForOn: '2026-09-28', confirmedOn: '2026-09-29' };
  it.each([
    ['IN_PERSON', '2026-09-25'],
    ['ONLINE', '2026-09-25'],
    ['REGISTERED_POST', '2026-09-28'],
    ['POST', '2026-09-29'],
    ['EMAIL', '2026-09-29'],
    ['FAX', '2026-09-29'],
  ] as const)('%s → %s', (channel, expected) => {
    expect(receiptDate(channel, dates)).toBe(expected);
  });
  it('not yet confirmed: the clock has not started', () => {
    expect(receiptDate('EMAIL', { submittedOn: '2026-09-25' })).toBeNull();
  });
});

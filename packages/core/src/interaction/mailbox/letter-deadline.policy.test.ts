import { describe, expect, it } from 'vitest';
import { cal2026 } from '../calendar-2026.fixture.ts';
import { canDoOnLetter, isVetoOverdue, letterDeadline, median } from './letter-deadline.policy.ts';

describe('letter reply deadline (2015 §4: 7 working days, 15 when extended; the day of receipt not counted)', () => {
  it.each([
    // received, extended, due — why
    ['2026-09-25', false, '2026-10-12'], // Friday before National Day (中秋, off): 28 29 30 · 8 9 10(Sat make-up) 12
    ['2026-09-25', true, '2026-10-22'], // extended to 15: … 12 · 13 14 15 16 19 20 21 22
    ['2026-09-30', false, '2026-10-15'], // the eve of the holiday: 8 9 10 12 13 14 15
    ['2026-09-19', false, '2026-09-29'], // a Saturday: Sun 20 is a make-up working day and counts
    ['2026-12-21', false, '2026-12-30'], // stays inside 2026
  ] as const)('received %s, extended %s → due %s', (receivedOn, extended, due) => {
    expect(letterDeadline(cal2026, receivedOn, extended)).toEqual({ dueOn: due, uncomputable: false });
  });

  it.each([
    ['2026-12-28', false], // 29 30 31 · then 2027, which has no calendar data
    ['2026-12-21', true], // the extension runs into 2027
  ] as const)('received %s, extended %s → accepted, deadline uncomputable', (receivedOn, extended) => {
    expect(letterDeadline(cal2026, receivedOn, extended)).toEqual({ dueOn: null, uncomputable: true });
  });
});

describe('letter flow (受理 → 办理 → 答复)', () => {
  it.each([
    ['RECEIVED', 'accept', true],
    ['RECEIVED', 'markInvalid', true],
    ['RECEIVED', 'reply', false], // accept first: only valid letters are answered
    ['RECEIVED', 'extend', false],
    ['ACCEPTED', 'extend', true],
    ['ACCEPTED', 'transfer', true],
    ['ACCEPTED', 'close', true],
    ['ACCEPTED', 'accept', false],
    ['ANSWERED', 'reply', false],
    ['INVALID', 'accept', false],
    ['CLOSED', 'transfer', false],
  ] as const)('%s: %s allowed = %s', (status, action, ok) => {
    expect(canDoOnLetter(status, action)).toBe(ok);
  });

  it('the national veto: unanswered for more than 3 months', () => {
    const received = new Date('2026-01-31T02:00:00Z');
    expect(isVetoOverdue(received, new Date('2026-04-30T02:00:00Z'))).toBe(false);
    expect(isVetoOverdue(received, new Date('2026-05-01T02:00:00Z'))).toBe(true);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

import { describe, expect, it } from 'vitest';
import { interviewStatuses } from './interview.entity.ts';
import { canDoOnInterview, type InterviewAction, questionPhase } from './interview.policy.ts';

describe('online interview states (2015 §4: ANNOUNCED → LIVE → ENDED → PUBLISHED)', () => {
  const table: Record<string, InterviewAction[]> = {
    ANNOUNCED: ['goLive', 'ask'],
    LIVE: ['end', 'ask'],
    ENDED: ['draftTranscript', 'complete'],
    PUBLISHED: [],
  };
  const actions: InterviewAction[] = ['goLive', 'end', 'draftTranscript', 'complete', 'ask'];
  for (const status of interviewStatuses) {
    it(`${status}: ${table[status]!.join(', ') || 'final'}`, () => {
      expect(actions.filter((a) => canDoOnInterview(status, a))).toEqual(table[status]);
    });
  }
  it('questions are asked before the interview or during it', () => {
    expect(questionPhase('ANNOUNCED')).toBe('BEFORE');
    expect(questionPhase('LIVE')).toBe('DURING');
  });
});

import type { InterviewStatus } from './interview.entity.ts';

export type InterviewAction = 'goLive' | 'end' | 'draftTranscript' | 'complete' | 'ask';

/**
 * 在线访谈 (2015 §4): ANNOUNCED → LIVE → ENDED → PUBLISHED. The public asks before (ANNOUNCED, once the
 * announcement is published) and during (LIVE); the transcript is drafted once it has ENDED, and the interview
 * is PUBLISHED (done, counted) once the transcript has passed the three-level review.
 */
const allowed: Record<InterviewStatus, readonly InterviewAction[]> = {
  ANNOUNCED: ['goLive', 'ask'],
  LIVE: ['end', 'ask'],
  ENDED: ['draftTranscript', 'complete'],
  PUBLISHED: [],
};

export function canDoOnInterview(status: InterviewStatus, action: InterviewAction): boolean {
  return allowed[status].includes(action);
}

/** A question is asked BEFORE the interview while it is announced, DURING it while it is live. */
export const questionPhase = (status: InterviewStatus) => (status === 'LIVE' ? 'DURING' : 'BEFORE');

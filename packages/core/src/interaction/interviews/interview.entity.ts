import { defineEntity, p } from '@mikro-orm/core';

export interface InterviewGuest {
  name: string;
  title: string | null;
}

export const interviewStatuses = ['ANNOUNCED', 'LIVE', 'ENDED', 'PUBLISHED'] as const;
export type InterviewStatus = (typeof interviewStatuses)[number];

/** 在线访谈 (2015 §4): announced in advance, held live, its transcript published afterwards (2015 §3 解读). */
export const InterviewSchema = defineEntity({
  name: 'Interview',
  tableName: 'interview',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    topic: p.string(),
    description: p.text(),
    guests: p.json<InterviewGuest[]>(),
    startsAt: p.datetime(),
    endsAt: p.datetime().nullable(),
    status: p.enum(interviewStatuses),
    columnId: p.uuid(),
    /** Policy documents (item ids) the interview interprets. */
    interprets: p.json<string[]>(),
    /** Media of the interview by id (images, video, documents), published with the transcript. */
    media: p.json<string[]>(),
    announcementItemId: p.uuid().nullable(),
    transcriptItemId: p.uuid().nullable(),
    liveAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    publishedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class Interview extends InterviewSchema.class {}
InterviewSchema.setClass(Interview);

/** The asker's details: personal data, for the handlers only; never public, never in the transcript. */
export interface QuestionAsker {
  name: string;
  phone: string | null;
  email: string | null;
}

export const InterviewQuestionSchema = defineEntity({
  name: 'InterviewQuestion',
  tableName: 'interview_question',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    interviewId: p.uuid(),
    body: p.text(),
    asker: p.json<QuestionAsker>(),
    phase: p.enum(['BEFORE', 'DURING'] as const),
    status: p.enum(['PENDING', 'APPROVED', 'REJECTED'] as const),
    answer: p.text().nullable(),
    answeredBy: p.string().nullable(),
    askedAt: p.datetime(),
    moderatedAt: p.datetime().nullable(),
    moderatedBy: p.string().nullable(),
    answeredAt: p.datetime().nullable(),
  },
});
export class InterviewQuestion extends InterviewQuestionSchema.class {}
InterviewQuestionSchema.setClass(InterviewQuestion);

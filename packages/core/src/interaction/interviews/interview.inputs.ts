import { z } from 'zod';
import { publicText } from '../public-write-guard.ts';

const text = (max: number) => z.string().trim().min(1).max(max);

export const createInterviewInput = z
  .object({
    site: z.string(),
    topic: text(200),
    description: text(5000),
    guests: z
      .array(z.object({ name: text(50), title: z.string().trim().max(100).nullish() }))
      .min(1)
      .max(20),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date().nullish(),
    /** The column (path or id) of the announcement and transcript; by default 互动交流 › 在线访谈. */
    column: z.string().nullish(),
    /** 2015 §3: policy documents of the site the interview interprets (政策解读 by 在线访谈). */
    interprets: z.array(z.uuid()).max(20).nullish(),
  })
  .refine((i) => !i.endsAt || i.endsAt.getTime() > i.startsAt.getTime(), {
    message: 'An interview ends after it starts',
    path: ['endsAt'],
  });
export type CreateInterviewInput = z.input<typeof createInterviewInput>;

/** A question from the public: plain text, sanitised and size-limited (public-write guard). */
export const submitInterviewQuestionInput = z
  .object({
    site: z.string().max(64),
    interview: z.uuid(),
    body: publicText(1000),
    asker: z.object({
      name: publicText(50),
      phone: z
        .string()
        .trim()
        .regex(/^[0-9+\- ]{5,20}$/, 'a phone number')
        .nullish(),
      email: z.email().max(254).nullish(),
    }),
    altcha: z.string().min(1).max(4000),
  })
  .refine((v) => v.asker.phone || v.asker.email, {
    message: 'a phone number or an e-mail address',
    path: ['asker', 'phone'],
  });
export type SubmitInterviewQuestionInput = z.input<typeof submitInterviewQuestionInput>;

export const answerInterviewQuestionInput = z.object({
  id: z.uuid(),
  answer: text(10000),
  /** The guest who answered (one of the interview's guests). */
  answeredBy: text(50),
});

export const draftTranscriptInput = z.object({
  id: z.uuid(),
  /** Media of the interview (images, video, documents) uploaded through POST /media, by id. */
  media: z.array(z.uuid()).max(50).nullish(),
  /** An introduction above the questions and answers (the guests' opening remarks, a summary). */
  summary: z.string().trim().max(20000).nullish(),
});

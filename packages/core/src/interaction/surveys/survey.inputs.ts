import { z } from 'zod';
import { publicText } from '../public-write-guard.ts';

const text = (max: number) => z.string().trim().min(1).max(max);

const question = z
  .object({
    kind: z.enum(['SINGLE', 'MULTIPLE', 'TEXT']),
    text: text(500),
    required: z.boolean().nullish(),
    options: z.array(text(200)).max(30).nullish(),
    maxChoices: z.number().int().min(1).max(30).nullish(),
    /** TEXT: at most this many characters (default 1,000, at most 5,000). */
    maxLength: z.number().int().min(1).max(5000).nullish(),
  })
  .refine((q) => q.kind === 'TEXT' || (q.options?.length ?? 0) >= 2, {
    message: 'A choice question needs at least two options',
    path: ['options'],
  })
  .refine((q) => q.kind !== 'TEXT' || !q.options?.length, {
    message: 'A text question has no options',
    path: ['options'],
  });

export const createSurveyInput = z
  .object({
    site: z.string(),
    /** 意见征集 (a consultation on a decision or draft) or 网上调查 (a survey of a public concern). */
    kind: z.enum(['CONSULTATION', 'SURVEY']),
    title: text(200),
    description: text(10000),
    /** 2015 §4: the government decision or public concern (公众关切) the survey is about. */
    concern: text(1000),
    /** An item of the site the survey is tied to (a document draft, a notice), by id. */
    linkedItem: z.uuid().nullish(),
    opensAt: z.coerce.date(),
    closesAt: z.coerce.date(),
    /** The column (path or id) of its results; by default 意见征集 / 网上调查 (征集调查 on a department site). */
    column: z.string().nullish(),
    questions: z.array(question).min(1).max(50),
  })
  .refine((s) => s.closesAt.getTime() > s.opensAt.getTime(), {
    message: 'A survey closes after it opens',
    path: ['closesAt'],
  });
export type CreateSurveyInput = z.input<typeof createSurveyInput>;

/** A public answer: plain text sanitised and size-limited like letters (public-write guard). */
export const submitSurveyResponseInput = z.object({
  site: z.string().max(64),
  survey: z.uuid(),
  /** A phone number or an e-mail address: one answer per contact (never stored in clear). */
  contact: z
    .string()
    .trim()
    .min(5)
    .max(254)
    .refine((c) => /^[0-9+\- ]{5,20}$/.test(c) || z.email().safeParse(c).success, 'a phone number or an e-mail'),
  answers: z
    .array(
      z.object({
        questionId: z.string().max(20),
        choices: z.array(z.number().int().min(0).max(100)).max(30).nullish(),
        text: publicText(5000, 0).nullish(),
      }),
    )
    .max(50),
  altcha: z.string().min(1).max(4000),
});
export type SubmitSurveyResponseInput = z.input<typeof submitSurveyResponseInput>;

export const draftSurveyResultInput = z.object({
  id: z.uuid(),
  /** 运用情况: how the opinions were used (adopted, partly, why not), published with the results (2015 §4). */
  usage: text(10000),
});

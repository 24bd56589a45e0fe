import { defineEntity, p } from '@mikro-orm/core';

export const surveyQuestionKinds = ['SINGLE', 'MULTIPLE', 'TEXT'] as const;
export type SurveyQuestionKind = (typeof surveyQuestionKinds)[number];

/** One question of a survey, stored with the survey (its options never change once the survey is open). */
export interface SurveyQuestion {
  id: string;
  kind: SurveyQuestionKind;
  text: string;
  required: boolean;
  /** SINGLE / MULTIPLE: the options, in order. */
  options: string[];
  /** MULTIPLE: at most this many options (null: any number). */
  maxChoices: number | null;
  /** TEXT: at most this many characters. */
  maxLength: number | null;
}

/** One answer: the chosen option indexes (SINGLE, MULTIPLE) or the text (TEXT). */
export interface SurveyAnswer {
  questionId: string;
  choices: number[];
  text: string | null;
}

export const surveyStatuses = ['DRAFT', 'OPEN', 'CLOSED', 'RESULT_PUBLISHED'] as const;
export type SurveyStatus = (typeof surveyStatuses)[number];

/** 意见征集 / 网上调查 (2015 §4): tied to a decision or public concern; results and 运用情况 published. */
export const SurveySchema = defineEntity({
  name: 'Survey',
  tableName: 'survey',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    kind: p.enum(['CONSULTATION', 'SURVEY'] as const),
    title: p.string(),
    description: p.text(),
    concern: p.text(),
    linkedItemId: p.uuid().nullable(),
    opensAt: p.datetime(),
    closesAt: p.datetime(),
    questions: p.json<SurveyQuestion[]>(),
    status: p.enum(surveyStatuses),
    columnId: p.uuid(),
    voterSalt: p.string().lazy(),
    usage: p.text().nullable(),
    resultItemId: p.uuid().nullable(),
    completedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class Survey extends SurveySchema.class {}
SurveySchema.setClass(Survey);

export const SurveyResponseSchema = defineEntity({
  name: 'SurveyResponse',
  tableName: 'survey_response',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    surveyId: p.uuid(),
    answers: p.json<SurveyAnswer[]>(),
    voterHash: p.string(),
    textStatus: p.enum(['NONE', 'PENDING', 'APPROVED', 'REJECTED'] as const),
    submittedAt: p.datetime(),
  },
});
export class SurveyResponse extends SurveyResponseSchema.class {}
SurveyResponseSchema.setClass(SurveyResponse);

import {
  AppError,
  answerInterviewQuestion,
  type CreateInterviewInput,
  type CreateSurveyInput,
  closeSurvey,
  completeInterview,
  completeSurvey,
  createInterview,
  createSurvey,
  draftInterviewAnnouncement,
  draftInterviewTranscript,
  draftSurveyResult,
  endInterview,
  findItem,
  getInterview,
  getSurvey,
  type Interview,
  type Item,
  interactionYearReport,
  type ListResponsesArgs,
  listInterviews,
  listSurveyResponses,
  listSurveys,
  moderateInterviewQuestion,
  moderateSurveyResponse,
  openSurvey,
  type SubmitInterviewQuestionInput,
  type SubmitSurveyResponseInput,
  type Survey,
  startInterview,
  submitInterviewQuestion,
  submitSurveyResponse,
  surveyPhase,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

type Args<T> = (_: unknown, args: T, ctx: GqlContext) => unknown;
type Page = { site: string; first?: number | null; after?: string | null };
const siteCode = (ctx: GqlContext, id: string) => ctx.zq.directory.byId(id)?.code ?? null;
// Like the item mutations: the caller sees the drafted item's working version.
const asItem = async (ctx: GqlContext, item: Item) => (await findItem(ctx.zq, item.id)) ?? new AppError('NOT_FOUND');

export const engagementResolvers = {
  Query: {
    interviews: (async (_, a, { zq }) => connection(await listInterviews(zq, a))) as Args<Page>,
    interview: ((_, a, { zq }) => getInterview(zq, a)) as Args<{ site: string; id: string }>,
    surveys: (async (_, a, { zq }) => connection(await listSurveys(zq, a))) as Args<Page>,
    survey: ((_, a, { zq }) => getSurvey(zq, a)) as Args<{ site: string; id: string }>,
    surveyResponses: (async (_, a, { zq }) => connection(await listSurveyResponses(zq, a))) as Args<ListResponsesArgs>,
    interactionYearReport: ((_, a, { zq }) => interactionYearReport(zq, a)) as Args<{
      year: number;
      site?: string | null;
      behindOnly?: boolean | null;
    }>,
  },
  Mutation: {
    createInterview: ((_, a, { zq }) => createInterview(zq, a.input)) as Args<{ input: CreateInterviewInput }>,
    draftInterviewAnnouncement: (async (_, a, ctx) =>
      asItem(ctx, await draftInterviewAnnouncement(ctx.zq, a.id))) as Args<{
      id: string;
    }>,
    startInterview: ((_, a, { zq }) => startInterview(zq, a.id)) as Args<{ id: string }>,
    endInterview: ((_, a, { zq }) => endInterview(zq, a.id)) as Args<{ id: string }>,
    submitInterviewQuestion: ((_, a, { zq }) => submitInterviewQuestion(zq, a.input)) as Args<{
      input: SubmitInterviewQuestionInput;
    }>,
    moderateInterviewQuestion: ((_, a, { zq }) => moderateInterviewQuestion(zq, a)) as Args<{
      id: string;
      approve: boolean;
    }>,
    answerInterviewQuestion: ((_, a, { zq }) => answerInterviewQuestion(zq, a)) as Args<{
      id: string;
      answer: string;
      answeredBy: string;
    }>,
    draftInterviewTranscript: (async (_, a, ctx) =>
      asItem(ctx, await draftInterviewTranscript(ctx.zq, a.input))) as Args<{
      input: { id: string; media?: string[] | null; summary?: string | null };
    }>,
    completeInterview: ((_, a, { zq }) => completeInterview(zq, a.id)) as Args<{ id: string }>,
    createSurvey: ((_, a, { zq }) => createSurvey(zq, a.input)) as Args<{ input: CreateSurveyInput }>,
    openSurvey: ((_, a, { zq }) => openSurvey(zq, a.id)) as Args<{ id: string }>,
    closeSurvey: ((_, a, { zq }) => closeSurvey(zq, a.id)) as Args<{ id: string }>,
    submitSurveyResponse: (async (_, a, { zq }) => {
      const r = await submitSurveyResponse(zq, a.input);
      return { survey: r.survey.id, submittedAt: r.submittedAt };
    }) as Args<{ input: SubmitSurveyResponseInput }>,
    moderateSurveyResponse: ((_, a, { zq }) => moderateSurveyResponse(zq, a)) as Args<{ id: string; approve: boolean }>,
    draftSurveyResult: (async (_, a, ctx) => asItem(ctx, await draftSurveyResult(ctx.zq, a))) as Args<{
      id: string;
      usage: string;
    }>,
    completeSurvey: ((_, a, { zq }) => completeSurvey(zq, a.id)) as Args<{ id: string }>,
  },
  Interview: {
    site: (i: Interview, _: unknown, ctx: GqlContext) => siteCode(ctx, i.siteId),
  },
  Survey: {
    site: (s: Survey, _: unknown, ctx: GqlContext) => siteCode(ctx, s.siteId),
    status: (s: Survey, _: unknown, ctx: GqlContext) => surveyPhase(s, ctx.zq.now()),
  },
};

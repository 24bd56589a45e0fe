import { createHmac, randomBytes } from 'node:crypto';
import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { AppError } from '../../errors/app-error.ts';
import { Item } from '../../items/item.entity.ts';
import type { Ctx } from '../../shared/context.ts';
import { mapUniqueViolations } from '../../shared/db-errors.ts';
import { type Page, type PageArgs, pageOf } from '../../shared/pagination.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { uuidV7 } from '../ids.ts';
import { interactionColumn, readableSite, requireInteractionSite, requireOnlineSite } from '../interaction-shared.ts';
import { spendProofOfWork, throttlePublicWrite } from '../public-write-guard.ts';
import { Survey, type SurveyQuestion, SurveyResponse } from './survey.entity.ts';
import {
  type CreateSurveyInput,
  createSurveyInput,
  type SubmitSurveyResponseInput,
  submitSurveyResponseInput,
} from './survey.inputs.ts';
import { checkSurveyAnswers, normaliseContact, surveyPhase } from './survey.policy.ts';

/** The template's survey columns, in order of preference (portal: 意见征集 / 网上调查; department: 征集调查). */
const SURVEY_COLUMNS = {
  CONSULTATION: ['/hdjl/yjzj', '/hdjl/zjdc', '/hdjl/wsdc'],
  SURVEY: ['/hdjl/wsdc', '/hdjl/zjdc', '/hdjl/yjzj'],
} as const;

/** A survey its site's interaction handlers may manage (another site's is NOT_FOUND, like a missing one). */
export async function requireSurveyToHandle(ctx: Ctx, id: string): Promise<Survey> {
  await ctx.directory.fresh();
  const s = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Survey, { id }) : null;
  if (!s) throw new AppError('NOT_FOUND', 'Survey not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, s.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  return s;
}

/**
 * An interaction handler sets up a consultation or survey (2015 §4: 围绕政府重要决策和公众关切事项): what it is
 * about, its open and close dates, its questions. It starts as a DRAFT, invisible to the public.
 */
export async function createSurvey(ctx: Ctx, raw: CreateSurveyInput): Promise<Survey> {
  const input = parseInput(createSurveyInput, raw);
  const site = await requireInteractionSite(ctx, input.site, { write: true });
  const column = await interactionColumn(ctx, site.id, input.column, [...SURVEY_COLUMNS[input.kind]]);
  if (input.linkedItem && !(await ctx.em.findOne(Item, { id: input.linkedItem, siteId: site.id }))) {
    throw new AppError('NOT_FOUND', 'The linked item was not found in this site', { field: 'linkedItem' });
  }
  const questions: SurveyQuestion[] = input.questions.map((q, i) => ({
    id: `q${i + 1}`,
    kind: q.kind,
    text: q.text,
    required: q.required ?? true,
    options: q.kind === 'TEXT' ? [] : (q.options ?? []),
    maxChoices: q.kind === 'MULTIPLE' ? (q.maxChoices ?? null) : q.kind === 'SINGLE' ? 1 : null,
    maxLength: q.kind === 'TEXT' ? (q.maxLength ?? 1000) : null,
  }));
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const s = tx.create(Survey, {
      id: uuidV7(now),
      siteId: site.id,
      kind: input.kind,
      title: input.title,
      description: input.description,
      concern: input.concern,
      linkedItemId: input.linkedItem ?? null,
      opensAt: input.opensAt,
      closesAt: input.closesAt,
      questions,
      status: 'DRAFT',
      columnId: column.id,
      voterSalt: randomBytes(32).toString('base64url'),
      usage: null,
      resultItemId: null,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'survey.create',
      targetType: 'Survey',
      targetId: s.id,
      changes: { kind: s.kind, title: s.title, opensAt: s.opensAt, closesAt: s.closesAt, questions: questions.length },
    });
    return s;
  });
}

/** One step on a survey: state check under a row lock, change, audit, in one transaction. */
export async function surveyStep(
  ctx: Ctx,
  id: string,
  action: string,
  change: (s: Survey) => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Survey> {
  const found = await requireSurveyToHandle(ctx, id);
  return ctx.em.transactional(async (tx) => {
    const s = await tx.findOneOrFail(Survey, { id: found.id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
    const changes = await change(s);
    s.updatedAt = ctx.now();
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: s.siteId,
      action: `survey.${action}`,
      targetType: 'Survey',
      targetId: s.id,
      changes,
    });
    return s;
  });
}

/** DRAFT → OPEN: the survey becomes public; it takes answers from `opensAt` to `closesAt` (server clock). */
export const openSurvey = (ctx: Ctx, id: string) =>
  surveyStep(ctx, id, 'open', (s) => {
    if (s.status !== 'DRAFT') throw new AppError('INVALID_SURVEY_STATE');
    if (s.closesAt.getTime() <= ctx.now().getTime())
      throw new AppError('INVALID_SURVEY_STATE', 'The closing date has passed', { field: 'closesAt' });
    s.status = 'OPEN';
    return { status: ['DRAFT', 'OPEN'] };
  });

/** Closes an open survey early (the close date becomes now); the results can then be drafted. */
export const closeSurvey = (ctx: Ctx, id: string) =>
  surveyStep(ctx, id, 'close', (s) => {
    const phase = surveyPhase(s, ctx.now());
    if (phase !== 'OPEN' && phase !== 'UPCOMING' && phase !== 'CLOSED') throw new AppError('INVALID_SURVEY_STATE');
    const before = s.closesAt;
    if (phase !== 'CLOSED') s.closesAt = ctx.now();
    if (s.closesAt.getTime() <= s.opensAt.getTime()) s.opensAt = new Date(s.closesAt.getTime() - 1);
    s.status = 'CLOSED';
    return { status: ['OPEN', 'CLOSED'], closesAt: [before, s.closesAt] };
  });

/**
 * A member of the public answers (2015 §4), without an account. What is enforced (ADR 0019):
 * - the survey is open by the server's clock (SURVEY_NOT_OPEN otherwise);
 * - a solved ALTCHA challenge, spent once, in the answer's transaction;
 * - a throttle per client address for this survey (PUBLIC_WRITE_PER_ADDRESS per window: a shared office or
 *   school address gets several answers, not hundreds);
 * - **one answer per contact**: the phone number or e-mail, normalised and keyed with the survey's secret salt
 *   (HMAC-SHA256), is unique per survey — a second answer from it is SURVEY_ALREADY_ANSWERED. The contact itself
 *   is not stored. Someone with many phone numbers can still answer many times: no account-less scheme stops that.
 */
export async function submitSurveyResponse(
  ctx: Ctx,
  raw: SubmitSurveyResponseInput,
): Promise<{ survey: Survey; submittedAt: Date }> {
  const input = parseInput(submitSurveyResponseInput, raw);
  const entry = await requireOnlineSite(ctx, input.site);
  const em = forkForPublicRead(ctx, [entry.id]);
  const survey = await em.findOne(Survey, { id: input.survey, siteId: entry.id }, { populate: ['voterSalt'] });
  if (!survey || survey.status === 'DRAFT') throw new AppError('NOT_FOUND', 'Survey not found', { field: 'survey' });
  if (surveyPhase(survey, ctx.now()) !== 'OPEN') throw new AppError('SURVEY_NOT_OPEN');
  const limits = ctx.settings.publicWrites;
  const addr = ctx.clientAddress ?? 'unknown';
  // Counted per survey: a busy survey does not block letters from the same address, nor one survey another.
  await throttlePublicWrite(ctx, [
    { kind: 'addr', value: `survey:${survey.id}\u0000${addr}`, limit: limits.perAddress },
  ]);
  const answers = checkSurveyAnswers(
    survey.questions,
    input.answers.map((a) => ({ questionId: a.questionId, choices: a.choices ?? [], text: a.text ?? null })),
  );
  const voterHash = createHmac('sha256', survey.voterSalt).update(normaliseContact(input.contact)).digest('hex');
  const now = ctx.now();
  const id = uuidV7(now);
  await mapUniqueViolations(
    () =>
      em.transactional(async (tx) => {
        await spendProofOfWork(tx, ctx, input.altcha);
        tx.create(SurveyResponse, {
          id,
          siteId: entry.id,
          surveyId: survey.id,
          answers,
          voterHash,
          textStatus: answers.some((a) => a.text) ? 'PENDING' : 'NONE',
          submittedAt: now,
        });
        await tx.flush();
      }),
    {
      survey_response_survey_id_voter_hash_key: {
        field: 'contact',
        message: 'This contact has already answered this survey',
        reason: 'SURVEY_ALREADY_ANSWERED',
      },
    },
  );
  return { survey, submittedAt: now };
}

/** Free-text answers are moderated before they appear in the results (abuse, personal data). */
export async function moderateSurveyResponse(ctx: Ctx, raw: { id: string; approve: boolean }): Promise<SurveyResponse> {
  await ctx.directory.fresh();
  const r = /^[0-9a-f-]{36}$/i.test(raw.id) ? await ctx.em.findOne(SurveyResponse, { id: raw.id }) : null;
  if (!r) throw new AppError('NOT_FOUND', 'Response not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, r.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  if (r.textStatus === 'NONE') throw new AppError('INVALID_SURVEY_STATE', 'This response has no free text');
  const status = raw.approve ? 'APPROVED' : 'REJECTED';
  await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(SurveyResponse, { id: r.id }, { textStatus: status });
    await appendAudit(tx, ctx, {
      siteId: r.siteId,
      action: 'survey.moderate',
      targetType: 'SurveyResponse',
      targetId: r.id,
      changes: { textStatus: [r.textStatus, status] },
    });
  });
  r.textStatus = status;
  return r;
}

export interface ListSurveysArgs extends PageArgs {
  site: string;
}

/** Public: the site's surveys that are open or were (not drafts); its handlers see drafts too. Newest first. */
export async function listSurveys(ctx: Ctx, args: ListSurveysArgs): Promise<Page<Survey>> {
  const { entry, handler } = await readableSite(ctx, args.site);
  const em = handler ? ctx.em : forkForPublicRead(ctx, [entry.id]);
  return pageOf(em, Survey, {
    where: { siteId: entry.id, ...(handler ? {} : { status: { $ne: 'DRAFT' } }) },
    orderBy: 'id',
    cursor: 'uuid',
    direction: 'desc',
    args,
  });
}

/** Public: one survey of a site (not a draft, unless the actor handles the site). */
export async function getSurvey(ctx: Ctx, args: { site: string; id: string }): Promise<Survey> {
  const { entry, handler } = await readableSite(ctx, args.site);
  const em = handler ? ctx.em : forkForPublicRead(ctx, [entry.id]);
  const s = /^[0-9a-f-]{36}$/i.test(args.id) ? await em.findOne(Survey, { id: args.id, siteId: entry.id }) : null;
  if (!s || (!handler && s.status === 'DRAFT')) throw new AppError('NOT_FOUND', 'Survey not found', { field: 'id' });
  return s;
}

export interface ListResponsesArgs extends PageArgs {
  survey: string;
  textStatus?: SurveyResponse['textStatus'] | null;
}

/** The responses of a survey, for its handlers (moderation of free text). No contact: none is stored. */
export async function listSurveyResponses(ctx: Ctx, args: ListResponsesArgs): Promise<Page<SurveyResponse>> {
  const s = await requireSurveyToHandle(ctx, args.survey);
  return pageOf(ctx.em, SurveyResponse, {
    where: { surveyId: s.id, ...(args.textStatus ? { textStatus: args.textStatus } : {}) },
    orderBy: 'id',
    cursor: 'uuid',
    args,
  });
}

/** Every response of some surveys, for their results (one query). */
export async function responsesOf(ctx: Ctx, surveys: readonly Survey[]): Promise<Map<string, SurveyResponse[]>> {
  const out = new Map<string, SurveyResponse[]>(surveys.map((s) => [s.id, []]));
  if (surveys.length === 0) return out;
  const bySite = new Set(surveys.map((s) => s.siteId));
  const em = forkForPublicRead(ctx, [...bySite]);
  const rows = await em.find(
    SurveyResponse,
    { surveyId: { $in: surveys.map((s) => s.id) } },
    { orderBy: { id: 'asc' } },
  );
  for (const r of rows) out.get(r.surveyId)?.push(r);
  return out;
}

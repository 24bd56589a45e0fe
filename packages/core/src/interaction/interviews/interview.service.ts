import type { EntityManager } from '@mikro-orm/sql';
import { actorLabel } from '../../access/actor.ts';
import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { AppError } from '../../errors/app-error.ts';
import { Item } from '../../items/item.entity.ts';
import type { Ctx } from '../../shared/context.ts';
import { type Page, type PageArgs, pageOf } from '../../shared/pagination.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { uuidV7 } from '../ids.ts';
import {
  interactionColumn,
  isItemLive,
  readableSite,
  requireInteractionSite,
  requireOnlineSite,
} from '../interaction-shared.ts';
import { maskPersonalData } from '../mailbox/letter-publish.ts';
import { spendProofOfWork, throttlePublicWrite } from '../public-write-guard.ts';
import { Interview, InterviewQuestion, type QuestionAsker } from './interview.entity.ts';
import {
  answerInterviewQuestionInput,
  type CreateInterviewInput,
  createInterviewInput,
  type SubmitInterviewQuestionInput,
  submitInterviewQuestionInput,
} from './interview.inputs.ts';
import { canDoOnInterview, type InterviewAction, questionPhase } from './interview.policy.ts';

/** The template's interview column (互动交流 › 在线访谈), on portals and department sites alike. */
export const INTERVIEW_COLUMNS = ['/hdjl/zxft'];
/** The item kind of an interview's announcement (访谈预告). */
export const INTERVIEW_NOTICE_KIND = 'INTERVIEW_NOTICE';
/** The item kind of a transcript that interprets no policy document (a transcript that does is an INTERPRETATION). */
export const INTERVIEW_KIND = 'INTERVIEW';

/** An interview its site's handlers may manage (another site's is NOT_FOUND, like a missing one). */
export async function requireInterviewToHandle(ctx: Ctx, id: string): Promise<Interview> {
  await ctx.directory.fresh();
  const i = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Interview, { id }) : null;
  if (!i) throw new AppError('NOT_FOUND', 'Interview not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, i.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  return i;
}

/** One step: state check under a row lock, change, audit, in one transaction. */
export async function interviewStep(
  ctx: Ctx,
  id: string,
  action: InterviewAction | 'draftAnnouncement',
  change: (i: Interview, tx: EntityManager) => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Interview> {
  const found = await requireInterviewToHandle(ctx, id);
  return ctx.em.transactional(async (tx) => {
    const i = await tx.findOneOrFail(Interview, { id: found.id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
    if (action !== 'draftAnnouncement' && !canDoOnInterview(i.status, action))
      throw new AppError('INVALID_INTERVIEW_STATE', `A ${i.status} interview cannot do that (${action})`);
    const changes = await change(i, tx);
    i.updatedAt = ctx.now();
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: i.siteId,
      action: `interview.${action}`,
      targetType: 'Interview',
      targetId: i.id,
      changes,
    });
    return i;
  });
}

/**
 * An interaction handler sets up an interview (2015 §4): topic, guests, time, description, and the policy
 * documents it interprets (2015 §3). It is ANNOUNCED, but the public sees it only once its announcement item
 * (draftInterviewAnnouncement) has passed the three-level review: 提前做好预告.
 */
export async function createInterview(ctx: Ctx, raw: CreateInterviewInput): Promise<Interview> {
  const input = parseInput(createInterviewInput, raw);
  const site = await requireInteractionSite(ctx, input.site, { write: true });
  const column = await interactionColumn(ctx, site.id, input.column, INTERVIEW_COLUMNS);
  const policyIds = [...new Set(input.interprets ?? [])];
  if (policyIds.length) {
    const found = await ctx.em.find(Item, { id: { $in: policyIds }, siteId: site.id, kind: 'POLICY_DOCUMENT' });
    if (found.length !== policyIds.length)
      throw new AppError('NOT_FOUND', 'A policy document was not found in this site', { field: 'interprets' });
  }
  const now = ctx.now();
  return ctx.em.transactional(async (tx) => {
    const i = tx.create(Interview, {
      id: uuidV7(now),
      siteId: site.id,
      topic: input.topic,
      description: input.description,
      guests: input.guests.map((g) => ({ name: g.name, title: g.title ?? null })),
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      status: 'ANNOUNCED',
      columnId: column.id,
      interprets: policyIds,
      media: [],
      announcementItemId: null,
      transcriptItemId: null,
      liveAt: null,
      endedAt: null,
      publishedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'interview.create',
      targetType: 'Interview',
      targetId: i.id,
      changes: { topic: i.topic, startsAt: i.startsAt, guests: i.guests.map((g) => g.name), interprets: policyIds },
    });
    return i;
  });
}

/** ANNOUNCED → LIVE, only once the announcement is published (the public was told in advance). */
export const startInterview = (ctx: Ctx, id: string) =>
  interviewStep(ctx, id, 'goLive', async (i) => {
    if (!(await isItemLive(ctx.em, i.announcementItemId))) throw new AppError('INTERVIEW_NOT_ANNOUNCED');
    i.status = 'LIVE';
    i.liveAt = ctx.now();
    return { status: ['ANNOUNCED', 'LIVE'] };
  });

/** LIVE → ENDED: no more questions; the transcript can be drafted. */
export const endInterview = (ctx: Ctx, id: string) =>
  interviewStep(ctx, id, 'end', (i) => {
    i.status = 'ENDED';
    i.endedAt = ctx.now();
    return { status: ['LIVE', 'ENDED'] };
  });

/** ENDED → PUBLISHED (done, counted for 2015 §4) once the transcript has passed the three levels and is live. */
export const completeInterview = (ctx: Ctx, id: string) =>
  interviewStep(ctx, id, 'complete', async (i) => {
    if (!(await isItemLive(ctx.em, i.transcriptItemId))) throw new AppError('TRANSCRIPT_NOT_PUBLISHED');
    i.status = 'PUBLISHED';
    i.publishedAt = ctx.now();
    return { status: ['ENDED', 'PUBLISHED'], itemId: i.transcriptItemId };
  });

/**
 * A member of the public asks a question before (ANNOUNCED) or during (LIVE) an interview whose announcement
 * is published — through the public-write guard (throttle per address and contact, ALTCHA, size limits,
 * sanitised text). The question waits for the handler's moderation before anyone else sees it; the asker's
 * name and contact are never shown.
 */
export async function submitInterviewQuestion(
  ctx: Ctx,
  raw: SubmitInterviewQuestionInput,
): Promise<{ id: string; askedAt: Date; status: 'PENDING' }> {
  const input = parseInput(submitInterviewQuestionInput, raw);
  const entry = await requireOnlineSite(ctx, input.site);
  const em = forkForPublicRead(ctx, [entry.id]);
  const interview = await em.findOne(Interview, { id: input.interview, siteId: entry.id });
  if (!interview || !(await isItemLive(em, interview.announcementItemId)))
    throw new AppError('NOT_FOUND', 'Interview not found', { field: 'interview' });
  if (!canDoOnInterview(interview.status, 'ask')) throw new AppError('INTERVIEW_NOT_TAKING_QUESTIONS');
  const limits = ctx.settings.publicWrites;
  const contact = (input.asker.phone ?? input.asker.email ?? '').replace(/\s/g, '').toLowerCase();
  await throttlePublicWrite(ctx, [
    { kind: 'addr', value: ctx.clientAddress ?? 'unknown', limit: limits.perAddress },
    { kind: 'contact', value: contact, limit: limits.perContact },
  ]);
  const now = ctx.now();
  const id = uuidV7(now);
  await em.transactional(async (tx) => {
    await spendProofOfWork(tx, ctx, input.altcha);
    tx.create(InterviewQuestion, {
      id,
      siteId: entry.id,
      interviewId: interview.id,
      body: input.body,
      asker: { name: input.asker.name, phone: input.asker.phone ?? null, email: input.asker.email ?? null },
      phase: questionPhase(interview.status),
      status: 'PENDING',
      answer: null,
      answeredBy: null,
      askedAt: now,
      moderatedAt: null,
      moderatedBy: null,
      answeredAt: null,
    });
    await tx.flush();
    // Names the question, never its text or asker (personal data stays in one place).
    await appendAudit(tx, ctx, {
      siteId: entry.id,
      action: 'interview.ask',
      targetType: 'InterviewQuestion',
      targetId: id,
      changes: { interviewId: interview.id, phase: questionPhase(interview.status) },
    });
  });
  return { id, askedAt: now, status: 'PENDING' };
}

async function requireQuestionToHandle(ctx: Ctx, id: string): Promise<InterviewQuestion> {
  await ctx.directory.fresh();
  const q = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(InterviewQuestion, { id }) : null;
  if (!q) throw new AppError('NOT_FOUND', 'Question not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, q.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  return q;
}

async function questionStep(
  ctx: Ctx,
  id: string,
  action: string,
  change: (q: InterviewQuestion, i: Interview) => Record<string, unknown>,
): Promise<InterviewQuestion> {
  const found = await requireQuestionToHandle(ctx, id);
  return ctx.em.transactional(async (tx) => {
    const q = await tx.findOneOrFail(InterviewQuestion, { id: found.id }, { lockMode: 4 });
    const i = await tx.findOneOrFail(Interview, { id: q.interviewId });
    if (i.status === 'PUBLISHED') throw new AppError('INVALID_INTERVIEW_STATE', 'The interview is published');
    const changes = change(q, i);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: q.siteId,
      action: `interview.${action}`,
      targetType: 'InterviewQuestion',
      targetId: q.id,
      changes,
    });
    return q;
  });
}

/** The handler shows (APPROVED) or hides (REJECTED) a question; only approved ones are ever public. */
export const moderateInterviewQuestion = (ctx: Ctx, raw: { id: string; approve: boolean }) =>
  questionStep(ctx, String(raw.id), 'moderate', (q) => {
    const before = q.status;
    q.status = raw.approve ? 'APPROVED' : 'REJECTED';
    q.moderatedAt = ctx.now();
    q.moderatedBy = actorLabel(ctx.actor).name;
    return { status: [before, q.status] };
  });

/** A guest's answer, recorded by the handler; answering shows the question (it is approved with its answer). */
export async function answerInterviewQuestion(ctx: Ctx, raw: { id: string; answer: string; answeredBy: string }) {
  const input = parseInput(answerInterviewQuestionInput, raw);
  return questionStep(ctx, input.id, 'answer', (q, i) => {
    if (q.status === 'REJECTED') throw new AppError('INVALID_INTERVIEW_STATE', 'The question was rejected');
    if (!i.guests.some((g) => g.name === input.answeredBy))
      throw new AppError('NOT_FOUND', 'Not a guest of this interview', { field: 'answeredBy' });
    const before = q.status;
    q.status = 'APPROVED';
    q.moderatedAt ??= ctx.now();
    q.moderatedBy ??= actorLabel(ctx.actor).name;
    q.answer = input.answer;
    q.answeredBy = input.answeredBy;
    q.answeredAt = ctx.now();
    return { status: [before, 'APPROVED'], answeredBy: input.answeredBy };
  });
}

export interface ListInterviewsArgs extends PageArgs {
  site: string;
}

/** Ids of the interviews among `list` whose announcement is live (one query). */
async function announced(em: EntityManager, list: Interview[]): Promise<Set<string>> {
  const ids = list.map((i) => i.announcementItemId).filter((x): x is string => !!x);
  if (ids.length === 0) return new Set();
  const live = await em.find(Item, { id: { $in: ids }, state: 'PUBLISHED', withdrawnAt: null });
  const liveIds = new Set(live.map((x) => x.id));
  return new Set(list.filter((i) => i.announcementItemId && liveIds.has(i.announcementItemId)).map((i) => i.id));
}

/**
 * Public: a site's interviews whose announcement is published, newest first; its handlers see every interview.
 */
export async function listInterviews(ctx: Ctx, args: ListInterviewsArgs): Promise<Page<Interview>> {
  const { entry, handler } = await readableSite(ctx, args.site);
  if (handler) {
    return pageOf(ctx.em, Interview, {
      where: { siteId: entry.id },
      orderBy: 'id',
      cursor: 'uuid',
      direction: 'desc',
      args,
    });
  }
  const em = forkForPublicRead(ctx, [entry.id]);
  const items = await em.find(Item, {
    siteId: entry.id,
    kind: INTERVIEW_NOTICE_KIND,
    state: 'PUBLISHED',
    withdrawnAt: null,
  });
  return pageOf(em, Interview, {
    where: { siteId: entry.id, announcementItemId: { $in: items.map((i) => i.id) } },
    orderBy: 'id',
    cursor: 'uuid',
    direction: 'desc',
    args,
  });
}

/** Public: one interview of a site, once announced; its handlers see it from creation. */
export async function getInterview(ctx: Ctx, args: { site: string; id: string }): Promise<Interview> {
  const { entry, handler } = await readableSite(ctx, args.site);
  const em = handler ? ctx.em : forkForPublicRead(ctx, [entry.id]);
  const i = /^[0-9a-f-]{36}$/i.test(args.id) ? await em.findOne(Interview, { id: args.id, siteId: entry.id }) : null;
  if (!i || (!handler && !(await announced(em, [i])).has(i.id)))
    throw new AppError('NOT_FOUND', 'Interview not found', { field: 'id' });
  return i;
}

/**
 * The questions of some interviews: every question (or those of a status) for the interview's handlers; for
 * anyone else only the approved ones. The asker is never part of this (a separate, audited read).
 */
export async function questionsOf(
  ctx: Ctx,
  interviews: readonly Interview[],
  status?: InterviewQuestion['status'] | null,
): Promise<Map<string, InterviewQuestion[]>> {
  const out = new Map<string, InterviewQuestion[]>(interviews.map((i) => [i.id, []]));
  if (interviews.length === 0) return out;
  const handled = new Set(
    interviews.filter((i) => canHandleInteraction(ctx.actor, i.siteId, ctx.directory)).map((i) => i.id),
  );
  const em = forkForPublicRead(ctx, [...new Set(interviews.map((i) => i.siteId))]);
  const rows = await em.find(
    InterviewQuestion,
    { interviewId: { $in: interviews.map((i) => i.id) } },
    { orderBy: { askedAt: 'asc', id: 'asc' } },
  );
  for (const q of rows) {
    if (handled.has(q.interviewId)) {
      if (!status || q.status === status) out.get(q.interviewId)?.push(q);
    } else if (q.status === 'APPROVED') {
      // The public sees the question with the asker's details (and anything like an ID or a mobile number)
      // masked, as in the transcript; a copy, so the managed entity is never changed.
      const body = maskPersonalData(q.body, { ...q.asker, address: null });
      out.get(q.interviewId)?.push(Object.assign(Object.create(Object.getPrototypeOf(q)), q, { body }));
    }
  }
  return out;
}

/**
 * The askers' details of some questions, for their handlers only; every read is audited
 * (`interview.readAsker`, one record per site and call, naming the questions), like a letter's contact.
 */
export async function readQuestionAskers(
  ctx: Ctx,
  questions: readonly InterviewQuestion[],
): Promise<Map<string, QuestionAsker>> {
  await ctx.directory.fresh();
  const allowed = questions.filter((q) => canHandleInteraction(ctx.actor, q.siteId, ctx.directory));
  if (allowed.length === 0) return new Map();
  const bySite = new Map<string, string[]>();
  for (const q of allowed) bySite.set(q.siteId, [...(bySite.get(q.siteId) ?? []), q.id]);
  await ctx.em.transactional(async (tx) => {
    for (const [siteId, ids] of bySite) {
      await appendAudit(tx, ctx, {
        siteId,
        action: 'interview.readAsker',
        targetType: 'InterviewQuestion',
        targetId: ids.length === 1 ? ids[0] : null,
        changes: { questions: ids },
      });
    }
  });
  return new Map(allowed.map((q) => [q.id, q.asker]));
}

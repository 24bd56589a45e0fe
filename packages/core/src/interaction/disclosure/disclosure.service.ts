import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { chinaDate } from '../../access/actor.ts';
import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { loadWorkdayCalendar } from '../../calendar/calendar.service.ts';
import type { WorkdayCalendar } from '../../calendar/workday.policy.ts';
import { AppError, isAppError } from '../../errors/app-error.ts';
import { Media } from '../../media/media.entity.ts';
import { signedMediaPath } from '../../media/media.serve.ts';
import type { Ctx } from '../../shared/context.ts';
import { type Page, type PageArgs, pageOf } from '../../shared/pagination.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { requireSiteByCode } from '../../sites/site-lookup.ts';
import { uuidV7 } from '../ids.ts';
import { spendProofOfWork, throttlePublicWrite } from '../public-write-guard.ts';
import {
  disclosureAnswerInput,
  disclosureConsultationInput,
  disclosureCorrectedInput,
  disclosureCorrectionInput,
  disclosureExtensionInput,
  type RegisterDisclosureRequestInput,
  registerDisclosureRequestInput,
  type SubmitDisclosureRequestInput,
  submitDisclosureRequestInput,
} from './disclosure.inputs.ts';
import { disclosureDueOn, type RequestChannel, receiptDate } from './disclosure-deadline.policy.ts';
import { DisclosureRequest } from './disclosure-request.entity.ts';

const code = () =>
  `YSQ-${Array.from({ length: 10 }, () => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[randomInt(32)]).join('')}`;

/**
 * The due date as the clock stands: none before the request counts as received (条例 §31) or while a correction
 * is awaited (§30: the clock stops; it restarts from the corrected request). A year without calendar data leaves
 * it open (null) rather than refusing the request; it is computed again at the next step.
 */
export async function dueOf(
  ctx: Ctx,
  r: DisclosureRequest,
  cal?: WorkdayCalendar,
): Promise<{ dueOn: string | null; uncomputable: boolean }> {
  if (!r.receivedOn || r.status === 'AWAITING_CORRECTION') return { dueOn: null, uncomputable: false };
  const calendar = cal ?? (await loadWorkdayCalendar(ctx, r.siteId, { fromYear: Number(r.receivedOn.slice(0, 4)) }));
  try {
    const dueOn = disclosureDueOn(calendar, {
      receivedOn: r.receivedOn,
      correctedOn: r.correctedOn,
      extended: !!r.extendedAt,
      pauses: r.pauses,
    });
    return { dueOn, uncomputable: false };
  } catch (e) {
    // Like letters: a year without calendar data never refuses a request; the deadline is flagged and the
    // sweep (disclosure-deadlines) fills it in once the year is entered.
    if (isAppError(e) && e.reason === 'CALENDAR_YEAR_MISSING') return { dueOn: null, uncomputable: true };
    throw e;
  }
}

/** Sets the request's due date and its uncomputable flag from the clock as it stands. */
async function setDue(ctx: Ctx, r: DisclosureRequest): Promise<void> {
  const d = await dueOf(ctx, r);
  r.dueOn = d.dueOn;
  r.deadlineUncomputable = d.uncomputable;
}

type NewRequest = Omit<z.infer<typeof registerDisclosureRequestInput>, 'channel' | 'site'> & {
  channel: RequestChannel;
};

function newRequest(ctx: Ctx, siteId: string, input: NewRequest) {
  const now = ctx.now();
  return {
    id: uuidV7(now),
    siteId,
    trackingCode: code(),
    applicant: {
      name: input.applicant.name,
      organisation: input.applicant.organisation ?? null,
      phone: input.applicant.phone ?? null,
      email: input.applicant.email ?? null,
      address: input.applicant.address ?? null,
    },
    description: input.description,
    deliveryForm: input.deliveryForm,
    channel: input.channel,
    submittedOn: input.submittedOn,
    receivedOn: receiptDate(input.channel, input),
    status: 'OPEN' as const,
    pauses: [],
    deadlineUncomputable: false,
    createdAt: now,
    updatedAt: now,
  };
}

/** The public online form: throttled, proof of work, all or nothing; received the day it is submitted. */
export async function submitDisclosureRequest(ctx: Ctx, raw: SubmitDisclosureRequestInput): Promise<DisclosureRequest> {
  const input = parseInput(submitDisclosureRequestInput, raw);
  const entry = (await ctx.directory.fresh()).byCode(input.site);
  if (entry?.status !== 'ONLINE') throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  const limits = ctx.settings.publicWrites;
  await throttlePublicWrite(ctx, [
    { kind: 'addr', value: ctx.clientAddress ?? 'unknown', limit: limits.perAddress },
    {
      kind: 'contact',
      value: (input.applicant.phone ?? input.applicant.email ?? '').toLowerCase(),
      limit: limits.perContact,
    },
  ]);
  const em = forkForPublicRead(ctx, [entry.id]);
  const row = newRequest(ctx, entry.id, { ...input, channel: 'ONLINE', submittedOn: chinaDate(ctx.now()) });
  const request = em.create(DisclosureRequest, { ...row, dueOn: null });
  await setDue(ctx, request);
  await em.transactional(async (tx) => {
    await spendProofOfWork(tx, ctx, input.altcha);
    tx.persist(request);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: entry.id,
      action: 'disclosure.submit',
      targetType: 'DisclosureRequest',
      targetId: request.id,
      changes: { channel: 'ONLINE', dueOn: request.dueOn },
    });
  });
  return request;
}

async function requireSiteToHandle(ctx: Ctx, code: string) {
  await ctx.directory.fresh();
  const site = await requireSiteByCode(ctx, code);
  if (!canHandleInteraction(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  return site;
}

/** A request that came in person, by post, fax or e-mail, registered by the site's staff. */
export async function registerDisclosureRequest(
  ctx: Ctx,
  raw: RegisterDisclosureRequestInput,
): Promise<DisclosureRequest> {
  const input = parseInput(registerDisclosureRequestInput, raw);
  const site = await requireSiteToHandle(ctx, input.site);
  const request = ctx.em.create(DisclosureRequest, { ...newRequest(ctx, site.id, input), dueOn: null });
  await setDue(ctx, request);
  await ctx.em.transactional(async (tx) => {
    tx.persist(request);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'disclosure.register',
      targetType: 'DisclosureRequest',
      targetId: request.id,
      changes: { channel: input.channel, receivedOn: request.receivedOn, dueOn: request.dueOn },
    });
  });
  return request;
}

async function requireRequest(ctx: Ctx, id: string): Promise<DisclosureRequest> {
  await ctx.directory.fresh();
  const r = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(DisclosureRequest, { id }) : null;
  if (!r) throw new AppError('NOT_FOUND', 'Disclosure request not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, r.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  return r;
}

/** One step: state check, change, new due date, audit, in one transaction. */
async function step(
  ctx: Ctx,
  id: string,
  action: string,
  allowed: DisclosureRequest['status'][],
  change: (r: DisclosureRequest) => Record<string, unknown> | Promise<Record<string, unknown>>,
): Promise<DisclosureRequest> {
  const r = await requireRequest(ctx, id);
  if (!allowed.includes(r.status)) throw new AppError('INVALID_DISCLOSURE_STATE');
  const changes = await change(r);
  const before = r.dueOn;
  await setDue(ctx, r);
  if (before !== r.dueOn) {
    // A new deadline gets its own reminder and escalation.
    r.remindedAt = null;
    r.escalatedAt = null;
  }
  r.updatedAt = ctx.now();
  await ctx.em.transactional(async (tx) => {
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: r.siteId,
      action: `disclosure.${action}`,
      targetType: 'DisclosureRequest',
      targetId: r.id,
      changes: { ...changes, dueOn: [before, r.dueOn] },
    });
  });
  return r;
}

/** 条例 §30: ask for a correction (补正); the clock stops. */
export const requestDisclosureCorrection = (ctx: Ctx, raw: { id: string; note: string }) => {
  const input = parseInput(disclosureCorrectionInput, raw);
  return step(ctx, input.id, 'requestCorrection', ['OPEN'], (r) => {
    r.status = 'AWAITING_CORRECTION';
    r.correctionNote = input.note;
    r.correctionRequestedAt = ctx.now();
    return { note: input.note };
  });
};

/** The corrected request arrived: the 20 working days restart from that day. */
export const recordDisclosureCorrection = (ctx: Ctx, raw: { id: string; correctedOn: string }) => {
  const input = parseInput(disclosureCorrectedInput, raw);
  return step(ctx, input.id, 'corrected', ['AWAITING_CORRECTION'], (r) => {
    r.status = 'OPEN';
    r.correctedOn = input.correctedOn;
    r.receivedOn ??= input.correctedOn;
    return { correctedOn: input.correctedOn };
  });
};

/** 条例 §33: extended once by 20 working days, with the disclosure office head's approval recorded. */
export const extendDisclosureRequest = (ctx: Ctx, raw: { id: string; approver: string; reason: string }) => {
  const input = parseInput(disclosureExtensionInput, raw);
  return step(ctx, input.id, 'extend', ['OPEN'], (r) => {
    if (r.extendedAt) throw new AppError('DISCLOSURE_ALREADY_EXTENDED');
    r.extendedAt = ctx.now();
    r.extensionApprover = input.approver;
    r.extensionReason = input.reason;
    return { approver: input.approver, reason: input.reason };
  });
};

/** 条例 §32/§33: a third-party consultation (up to 15 working days) is not counted. */
export const recordThirdPartyConsultation = (
  ctx: Ctx,
  raw: { id: string; from: string; to: string; party: string },
) => {
  const input = parseInput(disclosureConsultationInput, raw);
  if (input.to < input.from)
    throw new AppError('INVALID_INPUT', 'The consultation ends before it starts', { field: 'to' });
  return step(ctx, input.id, 'consultation', ['OPEN'], (r) => {
    r.pauses = [...r.pauses, { from: input.from, to: input.to, party: input.party }];
    return { from: input.from, to: input.to, party: input.party };
  });
};

/**
 * 条例 §36: the answer, of one of the regulation's types, with its document (告知书, the information itself) as a
 * media file of the same site, uploaded through the media pipeline (type checked by content). The file is not
 * public: the handlers hand it to the applicant by a signed URL (`answerDocument.url`).
 */
export const answerDisclosureRequest = (
  ctx: Ctx,
  raw: { id: string; type: string; answer: string; document?: string | null },
) => {
  const input = parseInput(disclosureAnswerInput, raw);
  return step(ctx, input.id, 'answer', ['OPEN'], async (r) => {
    if (input.document) {
      const m = await ctx.em.findOne(Media, { id: input.document, siteId: r.siteId, deletedAt: null });
      if (!m) throw new AppError('NOT_FOUND', 'Media not found', { field: 'document' });
      r.answerMediaId = m.id;
    }
    r.status = 'ANSWERED';
    r.answerType = input.type;
    r.answer = input.answer;
    r.answeredAt = ctx.now();
    return { type: input.type, document: r.answerMediaId };
  });
};

export interface ListDisclosureArgs extends PageArgs {
  site: string;
  status?: DisclosureRequest['status'] | null;
}

/** The handlers' list, newest first (ids are time-ordered UUIDv7), as a Relay page. */
export async function listDisclosureRequests(ctx: Ctx, args: ListDisclosureArgs): Promise<Page<DisclosureRequest>> {
  const site = await requireSiteToHandle(ctx, args.site);
  return pageOf(ctx.em, DisclosureRequest, {
    where: { siteId: site.id, ...(args.status ? { status: args.status } : {}) },
    orderBy: 'id',
    cursor: 'uuid',
    direction: 'desc',
    args,
  });
}

export interface DisclosureYearReport {
  year: number;
  received: number;
  answered: number;
  answeredByType: { type: string; count: number }[];
  /** Answered after the due date, or still open past it. */
  overdue: number;
  /** Received in the year and still open at its end (结转下年度). */
  carriedOver: number;
}

/** The yearly figures of the disclosure annual report (政府信息公开工作年度报告), per site. */
export async function disclosureYearReport(
  ctx: Ctx,
  args: { site: string; year: number },
): Promise<DisclosureYearReport> {
  const site = await requireSiteToHandle(ctx, args.site);
  const year = Number(args.year);
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    throw new AppError('INVALID_INPUT', 'year', { field: 'year' });
  const rows = await ctx.em.find(DisclosureRequest, { siteId: site.id });
  const today = chinaDate(ctx.now());
  const inYear = (d: string | null) => !!d && d.startsWith(`${year}-`);
  const answeredOn = (r: DisclosureRequest) => (r.answeredAt ? chinaDate(r.answeredAt) : null);
  const received = rows.filter((r) => inYear(r.receivedOn ?? r.submittedOn));
  const answered = rows.filter((r) => inYear(answeredOn(r)));
  const byType = new Map<string, number>();
  for (const r of answered) byType.set(r.answerType ?? '', (byType.get(r.answerType ?? '') ?? 0) + 1);
  const late = (r: DisclosureRequest) => {
    if (!r.dueOn) return false;
    const done = answeredOn(r);
    return done ? done > r.dueOn : r.dueOn < today;
  };
  return {
    year,
    received: received.length,
    answered: answered.length,
    answeredByType: [...byType].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type)),
    overdue: received.filter(late).length,
    carriedOver: received.filter((r) => {
      const done = answeredOn(r);
      return !done || done > `${year}-12-31`;
    }).length,
  };
}

/**
 * The applicants' personal data of some requests, for their handlers only; every read is audited
 * (`disclosure.readApplicant`, one record per site and call, naming the requests), like a letter's contact.
 */
export async function readDisclosureApplicants(
  ctx: Ctx,
  requests: readonly DisclosureRequest[],
): Promise<Map<string, DisclosureRequest['applicant']>> {
  await ctx.directory.fresh();
  const allowed = requests.filter((r) => canHandleInteraction(ctx.actor, r.siteId, ctx.directory));
  if (allowed.length === 0) return new Map();
  const bySite = new Map<string, string[]>();
  for (const r of allowed) bySite.set(r.siteId, [...(bySite.get(r.siteId) ?? []), r.id]);
  await ctx.em.transactional(async (tx) => {
    for (const [siteId, ids] of bySite) {
      await appendAudit(tx, ctx, {
        siteId,
        action: 'disclosure.readApplicant',
        targetType: 'DisclosureRequest',
        targetId: ids.length === 1 ? ids[0] : null,
        changes: { requests: ids },
      });
    }
  });
  return new Map(allowed.map((r) => [r.id, r.applicant]));
}

export interface DeliveredDocument {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  /** A short-lived signed URL (the file is not public): the handler sends it to the applicant. */
  url: string;
}

/**
 * The answer documents of some requests, for their handlers only: each with a signed URL, since the file is a
 * media file of the site that no published item uses (it stays out of the public's reach).
 */
export async function disclosureDocuments(
  ctx: Ctx,
  requests: readonly DisclosureRequest[],
): Promise<Map<string, DeliveredDocument>> {
  await ctx.directory.fresh();
  const allowed = requests.filter((r) => r.answerMediaId && canHandleInteraction(ctx.actor, r.siteId, ctx.directory));
  if (allowed.length === 0) return new Map();
  const media = await ctx.em.find(Media, { id: { $in: allowed.map((r) => r.answerMediaId!) } });
  const byId = new Map(media.map((m) => [m.id, m]));
  const out = new Map<string, DeliveredDocument>();
  for (const r of allowed) {
    const m = byId.get(r.answerMediaId!);
    if (m)
      out.set(r.id, {
        id: m.id,
        name: m.title ?? m.originalName,
        mediaType: m.mediaType,
        size: m.size,
        url: signedMediaPath(ctx, m.id),
      });
  }
  return out;
}

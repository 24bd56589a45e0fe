import type { EntityManager } from '@mikro-orm/sql';
import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { loadWorkdayCalendar } from '../../calendar/calendar.service.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Ctx } from '../../shared/context.ts';
import { withEscapedScope } from '../../shared/escape-scope.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { isPublicStatus } from '../../sites/site.service.ts';
import { canDoOnLetter, type LetterAction, letterDeadline } from './letter-deadline.policy.ts';
import {
  assignLetterInput,
  closeLetterInput,
  letterReasonInput,
  replyLetterInput,
  transferLetterInput,
} from './letter.inputs.ts';
import { requireHandlerUser } from './mailbox.service.ts';
import { Letter, Mailbox } from './mailbox.entity.ts';

/**
 * A letter the actor may handle: within reach (RLS), and the actor an interaction handler or admin of its site.
 * A letter of another site is reported exactly like a missing one.
 */
export async function requireLetterToHandle(ctx: Ctx, id: string): Promise<Letter> {
  await ctx.directory.fresh();
  const letter = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Letter, { id }) : null;
  if (!letter) throw new AppError('NOT_FOUND', 'Letter not found', { field: 'id' });
  if (!canHandleInteraction(ctx.actor, letter.siteId, ctx.directory)) throw new AppError('FORBIDDEN');
  return letter;
}

/** One step of the flow: checks the state, changes the letter and appends its audit record in one transaction. */
async function step(
  ctx: Ctx,
  id: string,
  action: LetterAction,
  change: (letter: Letter, tx: EntityManager) => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Letter> {
  const found = await requireLetterToHandle(ctx, id);
  return ctx.em.transactional(async (tx) => {
    // Re-read under a row lock: two handlers acting at once must not both pass the state check.
    const letter = await tx.findOneOrFail(Letter, { id: found.id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
    if (!canDoOnLetter(letter.status, action)) {
      throw new AppError('INVALID_LETTER_STATE', `A ${letter.status} letter cannot be handled that way (${action})`);
    }
    const changes = await change(letter, tx);
    letter.updatedAt = ctx.now();
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: letter.siteId,
      action: `letter.${action}`,
      targetType: 'Letter',
      targetId: letter.id,
      changes,
    });
    return letter;
  });
}

/** 受理: the letter is valid and will be answered (2015 §4: 100 % of valid letters). */
export const acceptLetter = (ctx: Ctx, id: string) =>
  step(ctx, id, 'accept', (l) => {
    l.status = 'ACCEPTED';
    return { status: ['RECEIVED', 'ACCEPTED'] };
  });

export async function markLetterInvalid(ctx: Ctx, raw: { id: string; reason: string }) {
  const input = parseInput(letterReasonInput, raw);
  return step(ctx, input.id, 'markInvalid', (l) => {
    l.status = 'INVALID';
    l.invalidReason = input.reason;
    return { status: ['RECEIVED', 'INVALID'], reason: input.reason };
  });
}

export async function assignLetter(ctx: Ctx, raw: { id: string; handler: string }) {
  const input = parseInput(assignLetterInput, raw);
  const letter = await requireLetterToHandle(ctx, input.id);
  const user = await requireHandlerUser(ctx, letter.siteId, input.handler, 'handler');
  return step(ctx, input.id, 'assign', (l) => {
    const before = l.handlerName;
    l.handlerId = user.id;
    l.handlerName = user.name;
    return { handler: [before, user.name] };
  });
}

/** 2015 §4: complex letters within 15 working days; extended once, with the reason recorded. */
export async function extendLetter(ctx: Ctx, raw: { id: string; reason: string }) {
  const input = parseInput(letterReasonInput, raw);
  const letter = await requireLetterToHandle(ctx, input.id);
  if (letter.extendedAt) throw new AppError('LETTER_ALREADY_EXTENDED');
  const cal = await loadWorkdayCalendar(ctx, letter.siteId, { fromYear: Number(letter.receivedOn.slice(0, 4)) });
  // Counted from receipt again, never from today: the clock keeps running.
  const deadline = letterDeadline(cal, letter.receivedOn, true);
  return step(ctx, input.id, 'extend', (l) => {
    if (l.extendedAt) throw new AppError('LETTER_ALREADY_EXTENDED');
    const before = l.dueOn;
    l.extendedAt = ctx.now();
    l.extensionReason = input.reason;
    l.dueOn = deadline.dueOn;
    l.deadlineUncomputable = deadline.uncomputable;
    l.remindedAt = null;
    l.escalatedAt = null;
    return { dueOn: [before, deadline.dueOn], reason: input.reason };
  });
}

/** 答复: the reply and the body that answers (shown with the reply when it is published). */
export async function replyToLetter(ctx: Ctx, raw: { id: string; reply: string; answeringBody: string }) {
  const input = parseInput(replyLetterInput, raw);
  return step(ctx, input.id, 'reply', (l) => {
    l.status = 'ANSWERED';
    l.reply = input.reply;
    l.answeringBody = input.answeringBody;
    l.answeredAt = ctx.now();
    return { status: ['ACCEPTED', 'ANSWERED'], answeringBody: input.answeringBody };
  });
}

/** 2015 §4: a letter that cannot be handled is closed with an explanation to the writer. */
export async function closeLetterUnhandleable(ctx: Ctx, raw: { id: string; explanation: string }) {
  const input = parseInput(closeLetterInput, raw);
  return step(ctx, input.id, 'close', (l) => {
    l.status = 'CLOSED';
    l.closeExplanation = input.explanation;
    l.closedAt = ctx.now();
    return { status: ['ACCEPTED', 'CLOSED'] };
  });
}

/**
 * Transfer to another site's mailbox (the competent body's). Recorded on the letter and on both sites' audit
 * chains; the clock keeps running (receipt date and deadline unchanged). The letter leaves the actor's scope, so
 * the move goes through the scope-escaping helper. The target must be a public site (or one the actor reaches).
 */
export async function transferLetter(
  ctx: Ctx,
  raw: { id: string; toSite: string; toMailbox?: string | null; reason: string },
): Promise<Letter> {
  const input = parseInput(transferLetterInput, raw);
  const letter = await requireLetterToHandle(ctx, input.id);
  if (!canDoOnLetter(letter.status, 'transfer')) throw new AppError('INVALID_LETTER_STATE');
  const target = ctx.directory.byCode(input.toSite);
  if (!target || !isPublicStatus(target.status) || target.id === letter.siteId) {
    throw new AppError('NOT_FOUND', 'Site not found', { field: 'toSite' });
  }
  const targetEm = forkForPublicRead(ctx, [target.id]);
  const mailbox = input.toMailbox
    ? await targetEm.findOne(Mailbox, { id: input.toMailbox, siteId: target.id })
    : await targetEm.findOne(Mailbox, { siteId: target.id }, { orderBy: { createdAt: 'asc' } });
  if (!mailbox) throw new AppError('NOT_FOUND', 'Mailbox not found', { field: 'toMailbox' });
  const at = ctx.now();
  const record = {
    at: at.toISOString(),
    fromSiteId: letter.siteId,
    fromMailboxId: letter.mailboxId,
    toSiteId: target.id,
    toMailboxId: mailbox.id,
    by: ctx.actor.kind === 'user' ? ctx.actor.name : null,
    reason: input.reason,
  };
  return withEscapedScope(
    ctx,
    { reason: 'letter.transfer', siteIds: [target.id], targetType: 'Letter', targetId: letter.id },
    async (tx) => {
      const l = await tx.findOneOrFail(Letter, { id: letter.id }, { lockMode: 4 });
      if (l.siteId !== letter.siteId || !canDoOnLetter(l.status, 'transfer'))
        throw new AppError('INVALID_LETTER_STATE');
      l.siteId = target.id;
      l.mailboxId = mailbox.id;
      l.handlerId = null;
      l.handlerName = null;
      l.transfers = [...l.transfers, record];
      l.updatedAt = at;
      await tx.flush();
      for (const [siteId, action] of [
        [record.fromSiteId, 'letter.transferOut'],
        [record.toSiteId, 'letter.transferIn'],
      ] as const) {
        await appendAudit(tx, ctx, { siteId, action, targetType: 'Letter', targetId: l.id, changes: { ...record } });
      }
      return l;
    },
  );
}

import { chinaDate } from '../../access/actor.ts';
import { INTERACTION_CHANNEL } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { Column } from '../../columns/column.entity.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Item } from '../../items/item.entity.ts';
import { createItem } from '../../items/item.service.ts';
import { findPersonalData } from '../../items/prepublish.policy.ts';
import type { Ctx } from '../../shared/context.ts';
import { escapeHtml } from '../public-write-guard.ts';
import { requireLetterToHandle } from './letter-handling.ts';
import { Letter, type LetterContact, Mailbox } from './mailbox.entity.ts';

/** The item kind of a published reply (领导信箱 答复), listed in the mailbox's column. */
export const LETTER_REPLY_KIND = 'LETTER_REPLY';

/**
 * Masks personal data in text published from a letter: the writer's name, phone and e-mail, and anything that
 * looks like an ID number, a mobile number or an e-mail address (2015 §4 replies are public; the writer is not).
 */
export function maskPersonalData(text: string, contact: LetterContact): string {
  let out = text;
  const found = findPersonalData(out);
  for (const v of [...found.idNumbers, ...found.mobiles]) out = out.split(v).join(`${v.slice(0, 3)}****${v.slice(-2)}`);
  out = out.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '***@***');
  for (const v of [contact.name, contact.phone, contact.email, contact.address]) {
    if (v && v.trim().length >= 2) out = out.split(v.trim()).join('***');
  }
  return out;
}

/**
 * Drafts the public reply of an answered letter as an item of the mailbox's column, which then goes through
 * the three-level review like any publication (2015 §12: 先审后发): submit, 初审, 审核, 审发. Only for letters
 * whose writer allowed publication. The item shows the subject, dates received and answered, the answering body
 * and the reply, masked; never the letter's body or the writer.
 */
export async function draftLetterReply(ctx: Ctx, id: string): Promise<Item> {
  const letter = await requireLetterToHandle(ctx, id);
  if (letter.status !== 'ANSWERED' || !letter.mayPublish || !letter.reply) throw new AppError('LETTER_NOT_PUBLISHABLE');
  if (letter.replyItemId)
    throw new AppError('CONFLICT', 'The reply of this letter is already drafted', { field: 'id' });
  const mailbox = await ctx.em.findOneOrFail(Mailbox, { id: letter.mailboxId });
  const column = mailbox.columnId
    ? await ctx.em.findOne(Column, { id: mailbox.columnId })
    : await ctx.em.findOne(Column, {
        siteId: letter.siteId,
        path: { $like: `${INTERACTION_CHANNEL}/%` },
        locked: true,
      });
  if (!column) throw new AppError('NOT_FOUND', 'The mailbox has no column to publish in', { field: 'id' });
  const subject = maskPersonalData(letter.subject, letter.contact);
  const reply = maskPersonalData(letter.reply, letter.contact);
  const row = (k: string, v: string) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`;
  const body = [
    '<table>',
    row('来信主题', subject),
    row('来信时间', letter.receivedOn),
    row('答复时间', letter.answeredAt ? chinaDate(letter.answeredAt) : ''),
    row('答复单位', letter.answeringBody ?? ''),
    '</table>',
    ...reply.split('\n').map((p) => `<p>${escapeHtml(p)}</p>`),
  ].join('');
  const site = ctx.directory.byId(letter.siteId);
  const item = await createItem(ctx, {
    site: site?.code ?? '',
    column: column.id,
    kind: LETTER_REPLY_KIND,
    title: subject,
    body,
    source: letter.answeringBody ?? mailbox.name,
    note: `letter ${letter.trackingCode}`,
  });
  await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(Letter, { id: letter.id }, { replyItemId: item.id, updatedAt: ctx.now() });
    await appendAudit(tx, ctx, {
      siteId: letter.siteId,
      action: 'letter.draftReply',
      targetType: 'Letter',
      targetId: letter.id,
      changes: { itemId: item.id },
    });
  });
  return item;
}

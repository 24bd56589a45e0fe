import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { chinaDate } from '../../access/actor.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { loadWorkdayCalendar } from '../../calendar/calendar.service.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Ctx } from '../../shared/context.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { uuidV7 } from '../ids.ts';
import { claimLetterAttachments } from '../public-upload.ts';
import { spendProofOfWork, throttlePublicWrite } from '../public-write-guard.ts';
import { type SubmitLetterInput, submitLetterInput } from './letter.inputs.ts';
import { letterDeadline } from './letter-deadline.policy.ts';
import { Letter, Mailbox } from './mailbox.entity.ts';

export interface LetterReceipt {
  trackingCode: string;
  /** Shown once: only its SHA-256 is stored. With the tracking code it lets the writer follow the letter. */
  secret: string;
  receivedAt: Date;
  dueOn: string | null;
  deadlineUncomputable: boolean;
}

// Crockford base32 without I, L, O, U: read aloud over the phone without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function newTrackingCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A citizen writes to a site's mailbox (2015 §4). No account: the answer is a tracking code and a secret. The
 * write is throttled per address and per contact, needs a solved ALTCHA challenge (spent in the same
 * transaction as the letter), and is all or nothing. The reply deadline is set at receipt; a year without
 * calendar data does not refuse the letter, it flags the deadline as uncomputable (the sweep fills it in later).
 */
export async function submitLetter(ctx: Ctx, raw: SubmitLetterInput): Promise<LetterReceipt> {
  const input = parseInput(submitLetterInput, raw);
  const entry = (await ctx.directory.fresh()).byCode(input.site);
  if (entry?.status !== 'ONLINE') throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  const limits = ctx.settings.publicWrites;
  const contactKey = (input.contact.phone ?? input.contact.email ?? '').replace(/\s/g, '').toLowerCase();
  await throttlePublicWrite(ctx, [
    { kind: 'addr', value: ctx.clientAddress ?? 'unknown', limit: limits.perAddress },
    { kind: 'contact', value: contactKey, limit: limits.perContact },
  ]);
  // The citizen's write lands in exactly this one public site: its scope holds nothing else.
  const em = forkForPublicRead(ctx, [entry.id]);
  const mailbox = input.mailbox
    ? await em.findOne(Mailbox, { id: input.mailbox, siteId: entry.id })
    : await em.findOne(Mailbox, { siteId: entry.id }, { orderBy: { createdAt: 'asc' } });
  if (!mailbox) throw new AppError('NOT_FOUND', 'Mailbox not found', { field: 'mailbox' });
  const now = ctx.now();
  const receivedOn = chinaDate(now);
  const cal = await loadWorkdayCalendar(ctx, entry.id, { fromYear: Number(receivedOn.slice(0, 4)) });
  const deadline = letterDeadline(cal, receivedOn, false);
  const secret = randomBytes(32).toString('base64url');
  const trackingCode = newTrackingCode();
  const id = uuidV7(now);
  await em.transactional(async (tx) => {
    await spendProofOfWork(tx, ctx, input.altcha);
    tx.create(Letter, {
      id,
      siteId: entry.id,
      mailboxId: mailbox.id,
      trackingCode,
      secretHash: sha256(secret),
      subject: input.subject,
      body: input.body,
      contact: {
        name: input.contact.name,
        phone: input.contact.phone ?? null,
        email: input.contact.email ?? null,
        address: input.contact.address ?? null,
      },
      mayPublish: input.mayPublish,
      status: 'RECEIVED',
      receivedAt: now,
      receivedOn,
      dueOn: deadline.dueOn,
      deadlineUncomputable: deadline.uncomputable,
      transfers: [],
      attachments: [],
      updatedAt: now,
    });
    await tx.flush();
    if (input.attachments?.length) {
      const files = await claimLetterAttachments(tx, entry.id, id, input.attachments, now);
      await tx.nativeUpdate(Letter, { id }, { attachments: files });
    }
    // The audit record names the letter, never its content or writer (personal data stays in one place).
    await appendAudit(tx, ctx, {
      siteId: entry.id,
      action: 'letter.submit',
      targetType: 'Letter',
      targetId: id,
      changes: { mailboxId: mailbox.id, trackingCode, dueOn: deadline.dueOn, uncomputable: deadline.uncomputable },
    });
  });
  return { trackingCode, secret, receivedAt: now, dueOn: deadline.dueOn, deadlineUncomputable: deadline.uncomputable };
}

/**
 * The writer follows the letter with its tracking code and secret, wherever it was transferred. A wrong secret
 * is answered exactly like an unknown code. The answer never carries the contact details.
 */
export async function followLetter(ctx: Ctx, args: { trackingCode: string; secret: string }): Promise<Letter> {
  const code = String(args.trackingCode).trim().toUpperCase().slice(0, 20);
  const [row] = await ctx.unscopedEm.execute<{ id: string; site_id: string; secret_hash: string }[]>(
    'select id, site_id, secret_hash from zq_letter_by_code(?)',
    [code],
  );
  const given = Buffer.from(sha256(String(args.secret)), 'hex');
  const ok = row ? timingSafeEqual(given, Buffer.from(row.secret_hash, 'hex')) : false;
  if (!row || !ok) throw new AppError('NOT_FOUND', 'No letter with that tracking code and secret');
  await ctx.directory.fresh();
  return forkForPublicRead(ctx, [row.site_id]).findOneOrFail(Letter, { id: row.id });
}

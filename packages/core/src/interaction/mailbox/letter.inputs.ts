import { z } from 'zod';
import { publicText } from '../public-write-guard.ts';

const phone = z
  .string()
  .trim()
  .regex(/^[0-9+\- ]{5,20}$/, 'a phone number');

/** 2015 §4 letters from the public: plain text, sanitised and size-limited (public-write-guard). */
export const submitLetterInput = z
  .object({
    site: z.string().max(64),
    /** The mailbox; the site's first mailbox when left out. */
    mailbox: z.uuid().nullish(),
    subject: publicText(100),
    body: publicText(5000),
    contact: z.object({
      name: publicText(50),
      phone: phone.nullish(),
      email: z.email().max(254).nullish(),
      address: publicText(200).nullish(),
    }),
    mayPublish: z.boolean(),
    /** Files uploaded first through POST /public/attachments (at most 3), by media id. */
    attachments: z.array(z.uuid()).max(3).nullish(),
    /** The ALTCHA payload: base64 JSON of the challenge and its solution. */
    altcha: z.string().min(1).max(4000),
  })
  .refine((v) => v.contact.phone || v.contact.email, {
    message: 'a phone number or an e-mail address, to be answered',
    path: ['contact', 'phone'],
  });
export type SubmitLetterInput = z.input<typeof submitLetterInput>;

export const createMailboxInput = z.object({
  site: z.string(),
  name: z.string().trim().min(1).max(50),
  /** The column that lists the published replies, by path or id. */
  column: z.string().nullish(),
  /** 2015 §4: the named maintainer (专人负责), a member of the site. */
  maintainer: z.email(),
});
export type CreateMailboxInput = z.input<typeof createMailboxInput>;

const text = (max: number) => z.string().trim().min(1).max(max);
export const letterReasonInput = z.object({ id: z.uuid(), reason: text(1000) });
export const assignLetterInput = z.object({ id: z.uuid(), handler: z.email() });
export const transferLetterInput = z.object({
  id: z.uuid(),
  toSite: z.string(),
  toMailbox: z.uuid().nullish(),
  reason: text(1000),
});
export const replyLetterInput = z.object({ id: z.uuid(), reply: text(10000), answeringBody: text(100) });
export const closeLetterInput = z.object({ id: z.uuid(), explanation: text(5000) });
export const letterStatsInput = z.object({
  site: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
});

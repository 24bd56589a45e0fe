import { defineEntity, p } from '@mikro-orm/core';

/** 领导信箱 (县长信箱 / 市长信箱 / 局长信箱): one site's mailbox, with its named maintainer (2015 §4: 专人负责). */
export const MailboxSchema = defineEntity({
  name: 'Mailbox',
  tableName: 'mailbox',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    /** The column whose public list shows the published replies. */
    columnId: p.uuid().nullable(),
    name: p.string(),
    maintainerId: p.uuid(),
    maintainerName: p.string(),
    createdAt: p.datetime(),
  },
});
export class Mailbox extends MailboxSchema.class {}
MailboxSchema.setClass(Mailbox);

/** The writer's contact details: personal data, read by staff only through an audited use case. */
export interface LetterContact {
  name: string;
  phone: string | null;
  email: string | null;
  address: string | null;
}

export interface LetterTransfer {
  at: string;
  fromSiteId: string;
  fromMailboxId: string;
  toSiteId: string;
  toMailboxId: string;
  by: string | null;
  reason: string;
}

export interface LetterAttachment {
  mediaId: string;
  name: string;
  mediaType: string;
  size: number;
}

/** A citizen's letter to a mailbox, followed by its tracking code and a secret (stored as a hash only). */
export const LetterSchema = defineEntity({
  name: 'Letter',
  tableName: 'letter',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    mailboxId: p.uuid(),
    trackingCode: p.string(),
    secretHash: p.string(),
    subject: p.string(),
    body: p.text(),
    contact: p.json<LetterContact>(),
    mayPublish: p.boolean(),
    status: p.enum(['RECEIVED', 'ACCEPTED', 'INVALID', 'ANSWERED', 'CLOSED'] as const),
    receivedAt: p.datetime(),
    /** The day of receipt, China Standard Time (not counted: Civil Code §201). */
    receivedOn: p.string().columnType('date'),
    dueOn: p.string().columnType('date').nullable(),
    deadlineUncomputable: p.boolean(),
    extendedAt: p.datetime().nullable(),
    extensionReason: p.string().nullable(),
    invalidReason: p.string().nullable(),
    handlerId: p.uuid().nullable(),
    handlerName: p.string().nullable(),
    transfers: p.json<LetterTransfer[]>(),
    reply: p.text().nullable(),
    answeringBody: p.string().nullable(),
    answeredAt: p.datetime().nullable(),
    closeExplanation: p.text().nullable(),
    closedAt: p.datetime().nullable(),
    remindedAt: p.datetime().nullable(),
    escalatedAt: p.datetime().nullable(),
    replyItemId: p.uuid().nullable(),
    /** Files the writer sent, uploaded through the public upload (site media, not public). */
    attachments: p.json<LetterAttachment[]>(),
    updatedAt: p.datetime(),
  },
});
export class Letter extends LetterSchema.class {}
LetterSchema.setClass(Letter);

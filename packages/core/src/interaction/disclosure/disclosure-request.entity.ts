import { defineEntity, p } from '@mikro-orm/core';
import type { RequestChannel } from './disclosure-deadline.policy.ts';

export interface DisclosureApplicant {
  name: string;
  organisation: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
}

export interface DisclosurePause {
  from: string;
  to: string;
  party: string;
}

/** 依申请公开: one request for government information (条例 2019 §29–§36). */
export const DisclosureRequestSchema = defineEntity({
  name: 'DisclosureRequest',
  tableName: 'disclosure_request',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    trackingCode: p.string(),
    applicant: p.json<DisclosureApplicant>(),
    description: p.text(),
    deliveryForm: p.enum(['PAPER', 'EMAIL', 'ONLINE', 'PICKUP'] as const),
    channel: p.string().$type<RequestChannel>(),
    submittedOn: p.string().columnType('date'),
    receivedOn: p.string().columnType('date').nullable(),
    status: p.enum(['OPEN', 'AWAITING_CORRECTION', 'ANSWERED'] as const),
    correctionNote: p.text().nullable(),
    correctionRequestedAt: p.datetime().nullable(),
    correctedOn: p.string().columnType('date').nullable(),
    extendedAt: p.datetime().nullable(),
    extensionApprover: p.string().nullable(),
    extensionReason: p.string().nullable(),
    pauses: p.json<DisclosurePause[]>(),
    dueOn: p.string().columnType('date').nullable(),
    answerType: p.string().nullable(),
    answer: p.text().nullable(),
    answeredAt: p.datetime().nullable(),
    /** The count ran into a year without calendar data: kept, flagged, filled in by the sweep. */
    deadlineUncomputable: p.boolean(),
    remindedAt: p.datetime().nullable(),
    escalatedAt: p.datetime().nullable(),
    /** The answer document, a media file of the site (delivered by signed URL, not public). */
    answerMediaId: p.uuid().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class DisclosureRequest extends DisclosureRequestSchema.class {}
DisclosureRequestSchema.setClass(DisclosureRequest);

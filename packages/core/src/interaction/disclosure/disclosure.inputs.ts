import { z } from 'zod';
import { publicText } from '../public-write-guard.ts';
import { disclosureAnswerTypes } from './disclosure-deadline.policy.ts';

const applicant = z.object({
  name: publicText(50),
  organisation: publicText(100).nullish(),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9+\- ]{5,20}$/, 'a phone number')
    .nullish(),
  email: z.email().max(254).nullish(),
  address: publicText(200).nullish(),
});
const request = {
  site: z.string().max(64),
  applicant,
  /** 条例 §29: a description of the information asked for (名称、文号 or other features). */
  description: publicText(5000),
  /** 条例 §29(三): the form in which the information is to be delivered. */
  deliveryForm: z.enum(['PAPER', 'EMAIL', 'ONLINE', 'PICKUP']),
};

/** The public online form (channel ONLINE: received the day it is submitted). */
export const submitDisclosureRequestInput = z.object({ ...request, altcha: z.string().min(1).max(4000) });
export type SubmitDisclosureRequestInput = z.input<typeof submitDisclosureRequestInput>;

/** A request that came by another channel, registered by the office (条例 §31 receipt rules). */
export const registerDisclosureRequestInput = z.object({
  ...request,
  channel: z.enum(['IN_PERSON', 'POST', 'REGISTERED_POST', 'FAX', 'EMAIL']),
  submittedOn: z.iso.date(),
  signedForOn: z.iso.date().nullish(),
  confirmedOn: z.iso.date().nullish(),
});
export type RegisterDisclosureRequestInput = z.input<typeof registerDisclosureRequestInput>;

const text = (max: number) => z.string().trim().min(1).max(max);
export const disclosureCorrectionInput = z.object({ id: z.uuid(), note: text(2000) });
export const disclosureCorrectedInput = z.object({ id: z.uuid(), correctedOn: z.iso.date() });
export const disclosureExtensionInput = z.object({ id: z.uuid(), approver: text(100), reason: text(1000) });
export const disclosureConsultationInput = z.object({
  id: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
  party: text(200),
});
export const disclosureAnswerInput = z.object({
  id: z.uuid(),
  type: z.enum(disclosureAnswerTypes),
  answer: text(10000),
  /** The answer document: a media file of the site, by id. */
  document: z.uuid().nullish(),
});

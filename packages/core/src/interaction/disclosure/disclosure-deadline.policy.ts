import { isWorkday, toDate, toIso, type WorkdayCalendar } from '../../calendar/workday.policy.ts';

/** 条例 (2019) §33: an answer within 20 working days of receipt, extendable by at most 20 with approval. */
export const DISCLOSURE_WORKDAYS = 20;
export const DISCLOSURE_EXTENSION_WORKDAYS = 20;
/** 条例 §32: a third party has 15 working days to give its opinion; that time is not counted (§33). */
export const THIRD_PARTY_WORKDAYS = 15;

export type RequestChannel = 'IN_PERSON' | 'POST' | 'REGISTERED_POST' | 'ONLINE' | 'FAX' | 'EMAIL';

/**
 * 条例 §31, the day a request counts as received: in person, the day it is handed in; by registered post,
 * the day the office signs for it; by ordinary post, fax or e-mail, the day the office confirms receipt with the
 * applicant; through the platform's own online form, the day it is submitted (the system records it).
 * Returns null while the date that counts is not known yet (the clock has not started).
 */
export function receiptDate(
  channel: RequestChannel,
  dates: { submittedOn: string; signedForOn?: string | null; confirmedOn?: string | null },
): string | null {
  switch (channel) {
    case 'IN_PERSON':
    case 'ONLINE':
      return dates.submittedOn;
    case 'REGISTERED_POST':
      return dates.signedForOn ?? null;
    default:
      return dates.confirmedOn ?? null;
  }
}

export interface DisclosureClock {
  /** The day the request counts as received (条例 §31). */
  receivedOn: string;
  /** 条例 §30: after a correction request (补正), the count restarts from the day the corrected request arrives. */
  correctedOn?: string | null;
  /** Whether the office head approved the extension (条例 §33, recorded with the approver). */
  extended?: boolean;
  /** Third-party consultations (条例 §32), inclusive dates; their working days are not counted. */
  pauses?: { from: string; to: string }[];
}

const DAY = 86_400_000;

/**
 * The answer's due date: the Nth counted working day after the start (the start day itself does not count,
 * Civil Code §201), skipping working days inside a third-party consultation. Throws CALENDAR_YEAR_MISSING
 * when the count runs into a year without data. While a correction is awaited there is no due date at all:
 * the caller does not ask (the clock is stopped until `correctedOn`).
 */
export function disclosureDueOn(cal: WorkdayCalendar, clock: DisclosureClock): string {
  const start = clock.correctedOn ?? clock.receivedOn;
  const n = DISCLOSURE_WORKDAYS + (clock.extended ? DISCLOSURE_EXTENSION_WORKDAYS : 0);
  const paused = (iso: string) => (clock.pauses ?? []).some((p) => p.from <= iso && iso <= p.to);
  let d = toDate(start);
  let counted = 0;
  while (counted < n) {
    d = new Date(d.getTime() + DAY);
    const iso = toIso(d);
    if (isWorkday(cal, iso) && !paused(iso)) counted += 1;
  }
  return toIso(d);
}

/** 条例 §36: the answer types of a disclosure request (the annual report counts them one by one). */
export const disclosureAnswerTypes = [
  'DISCLOSED', // 予以公开
  'PARTLY_DISCLOSED', // 部分公开
  'NOT_DISCLOSED', // 不予公开 (with the ground)
  'NOT_HELD', // 本机关不掌握相关政府信息
  'NOT_THIS_OFFICE', // 不属于本机关负责公开 (with the office that is)
  'ALREADY_PUBLIC', // 已主动公开 (with where to find it)
  'NOT_PROCESSED', // 不予处理 (e.g. repeated requests, 条例 §36(6))
  'WITHDRAWN', // 申请人撤回 or failed to correct in time
] as const;
export type DisclosureAnswerType = (typeof disclosureAnswerTypes)[number];

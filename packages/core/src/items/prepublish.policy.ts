import { type DeadlineRule, missingDeadlineDate } from '../calendar/deadline.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { ErrorReason } from '../errors/catalogue.ts';
import { imagesWithoutAlt, type ItemContent, plainText } from './item.content.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643: an 18-character citizen ID whose last character is the check digit of the first 17. */
export function isValidIdNumber(id: string): boolean {
  if (!/^[1-9]\d{16}[\dXx]$/.test(id)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** ID numbers (with a valid check digit) and mainland mobile numbers, standing alone (not inside longer numbers). */
export function findPersonalData(text: string): { idNumbers: string[]; mobiles: string[] } {
  const idNumbers = [...text.matchAll(/(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g)]
    .map((m) => m[0])
    .filter(isValidIdNumber);
  const mobiles = [...text.matchAll(/(?<!\d)1[3-9]\d{9}(?!\d)/g)].map((m) => m[0]);
  return { idNumbers, mobiles };
}

/** Masks all but the first 3 and last 4 characters, so reports do not repeat the personal data. */
export const mask = (s: string) => `${s.slice(0, 3)}${'*'.repeat(Math.max(0, s.length - 7))}${s.slice(-4)}`;

export interface PrepublishInput {
  kind: string;
  content: ItemContent;
  columnStatus: string;
  /** The column's deadline rule now (it may have changed since the revision was saved). */
  deadlineRule?: DeadlineRule | null;
  interpretedPolicies: number;
  personalDataReason?: string | null;
  /** The uploaded files the content uses (issue 8): their kind, library caption and extracted text. */
  media?: {
    id: string;
    kind: string;
    caption: string | null;
    text: string | null;
    /** FAILED: the file's text could not be read, so it cannot be checked for personal data. */
    textStatus?: string;
    name?: string;
  }[];
  /** The stored plain text of the body, and the images without alt text found off the event loop, when known. */
  bodyText?: string;
  bodyImagesWithoutAlt?: string[];
}

export interface Problem {
  reason: ErrorReason;
  message: string;
  details: Record<string, unknown>;
}

/** Checks run when the approver signs the third level (2015 §12: review before publishing). */
export function prepublishProblems(input: PrepublishInput): Problem[] {
  const { content } = input;
  const problems: Problem[] = [];
  const required: (keyof ItemContent)[] = ['title', 'source'];
  if (input.kind !== 'PAGE') required.push('body');
  if (input.kind === 'POLICY_DOCUMENT') required.push('docNumber', 'issuingBody', 'writtenAt', 'issuedAt');
  const missing = required.filter((f) => content[f] === null || content[f] === '' || content[f] === undefined);
  if (missing.length)
    problems.push({
      reason: 'REQUIRED_FIELDS_MISSING',
      message: `Missing: ${missing.join(', ')}`,
      details: { fields: missing },
    });
  if (input.kind === 'INTERPRETATION' && input.interpretedPolicies === 0) {
    problems.push({
      reason: 'INTERPRETATION_WITHOUT_POLICY',
      message: 'Link the policy document this interprets',
      details: {},
    });
  }
  const noAlt = [
    ...content.images.filter((i) => !i.alt?.trim()).map((i) => i.url),
    ...(input.bodyImagesWithoutAlt ?? imagesWithoutAlt(content.body)),
  ];
  if (noAlt.length)
    problems.push({
      reason: 'IMAGE_ALT_MISSING',
      message: `${noAlt.length} image(s) without alt text`,
      details: { images: noAlt },
    });
  // 2015 §11 (accessibility): audio and video need a caption, or a transcript attached as a document.
  const media = new Map((input.media ?? []).map((m) => [m.id, m]));
  const attached = content.attachments.map((a) => (a.mediaId ? media.get(a.mediaId) : undefined));
  const hasTranscript = attached.some((m) => m?.kind === 'DOCUMENT');
  const uncaptioned = content.attachments.filter((a, i) => {
    const m = attached[i];
    const av = m ? m.kind === 'AUDIO' || m.kind === 'VIDEO' : /^(audio|video)\//.test(a.mediaType ?? '');
    return av && !m?.caption?.trim() && !hasTranscript;
  });
  if (uncaptioned.length)
    problems.push({
      reason: 'MEDIA_CAPTION_MISSING',
      message: `${uncaptioned.length} audio/video file(s) without a caption or transcript`,
      details: { attachments: uncaptioned.map((a) => a.name) },
    });
  if (!input.personalDataReason?.trim()) {
    const text = [
      content.title,
      content.subtitle,
      content.summary,
      input.bodyText ?? plainText(content.body),
      ...content.attachments.map((a) => a.name),
      // The attachments' own contents, not only their names (text extracted from PDF and DOCX).
      ...(input.media ?? []).map((m) => m.text),
    ]
      .filter(Boolean)
      .join('\n');
    // A document whose text could not be read was not checked: not published unchecked (issue 8). The approver
    // who has read it may vouch with personalDataReason.
    const unreadable = (input.media ?? []).filter((m) => m.textStatus === 'FAILED');
    if (unreadable.length)
      problems.push({
        reason: 'MEDIA_TEXT_UNREADABLE',
        message: `${unreadable.length} attached file(s) could not be read for the personal-data check`,
        details: { files: unreadable.map((m) => m.name ?? m.id) },
      });
    const found = findPersonalData(text);
    if (found.idNumbers.length || found.mobiles.length) {
      problems.push({
        reason: 'PERSONAL_DATA_FOUND',
        message: `Found ${found.idNumbers.length} ID number(s) and ${found.mobiles.length} mobile number(s)`,
        details: { idNumbers: found.idNumbers.map(mask), mobiles: found.mobiles.map(mask) },
      });
    }
  }
  // 2015 §2: a publication is measured against its deadline; the date the column's rule counts from must be there.
  const undated = missingDeadlineDate({
    rule: input.deadlineRule ?? null,
    kind: input.kind,
    occurredAt: content.occurredAt ? new Date(content.occurredAt) : null,
    importantLivelihood: content.importantLivelihood,
    issuedAt: content.issuedAt,
  });
  if (undated)
    problems.push({
      reason: undated.reason,
      message: `The column's deadline rule needs ${undated.field}`,
      details: { field: undated.field },
    });
  if (input.columnStatus !== 'OPEN')
    problems.push({ reason: 'COLUMN_CLOSED', message: `The column is ${input.columnStatus}`, details: {} });
  return problems;
}

export function assertPublishable(input: PrepublishInput): void {
  const [first, ...rest] = prepublishProblems(input);
  if (first)
    throw new AppError(first.reason, first.message, {
      ...(typeof first.details.field === 'string' ? { field: first.details.field } : {}),
      details: { ...first.details, alsoFailing: rest.map((p) => p.reason) },
    });
}

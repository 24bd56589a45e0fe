import { AppError } from '../../errors/app-error.ts';
import type { SurveyAnswer, SurveyQuestion, SurveyStatus } from './survey.entity.ts';

/** What the public and the handlers see: the stored status with the server's clock applied to the dates. */
export type SurveyPhase = 'DRAFT' | 'UPCOMING' | 'OPEN' | 'CLOSED' | 'RESULT_PUBLISHED';

/**
 * The open and close dates are enforced by the server's clock, never by the form: an opened survey takes answers
 * from `opensAt` (inclusive) to `closesAt` (exclusive); after that it is CLOSED whatever its stored status says.
 */
export function surveyPhase(s: { status: SurveyStatus; opensAt: Date; closesAt: Date }, now: Date): SurveyPhase {
  if (s.status === 'DRAFT' || s.status === 'RESULT_PUBLISHED') return s.status;
  if (s.status === 'CLOSED' || now.getTime() >= s.closesAt.getTime()) return 'CLOSED';
  return now.getTime() < s.opensAt.getTime() ? 'UPCOMING' : 'OPEN';
}

const bad = (field: string, message: string) => new AppError('SURVEY_ANSWER_INVALID', message, { field });

/**
 * Checks one person's answers against the survey's questions and returns them normalised (one entry per answered
 * question, in the questions' order): every required question answered; a single choice is exactly one option;
 * a multiple choice is distinct options, at most `maxChoices`; a text is within `maxLength`; no unknown question.
 * Texts arrive already sanitised (public-write guard).
 */
export function checkSurveyAnswers(questions: SurveyQuestion[], given: SurveyAnswer[]): SurveyAnswer[] {
  const byId = new Map(given.map((a) => [a.questionId, a]));
  if (byId.size !== given.length) throw bad('answers', 'A question is answered twice');
  for (const a of given)
    if (!questions.some((q) => q.id === a.questionId)) throw bad('answers', `No question ${a.questionId}`);
  const out: SurveyAnswer[] = [];
  for (const q of questions) {
    const a = byId.get(q.id);
    const choices = [...new Set(a?.choices ?? [])];
    const text = a?.text?.trim() ? a.text.trim() : null;
    const answered = q.kind === 'TEXT' ? text !== null : choices.length > 0;
    if (!answered) {
      if (q.required) throw bad(`answers.${q.id}`, `“${q.text}” is required`);
      continue;
    }
    if (q.kind === 'TEXT') {
      if (choices.length) throw bad(`answers.${q.id}`, 'A text question takes no choices');
      if (q.maxLength !== null && [...text!].length > q.maxLength)
        throw bad(`answers.${q.id}`, `At most ${q.maxLength} characters`);
      out.push({ questionId: q.id, choices: [], text });
      continue;
    }
    if (text !== null) throw bad(`answers.${q.id}`, 'A choice question takes no text');
    if (choices.length !== (a?.choices ?? []).length) throw bad(`answers.${q.id}`, 'An option is chosen twice');
    if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= q.options.length))
      throw bad(`answers.${q.id}`, 'No such option');
    if (q.kind === 'SINGLE' && choices.length !== 1) throw bad(`answers.${q.id}`, 'Choose exactly one option');
    if (q.kind === 'MULTIPLE' && q.maxChoices !== null && choices.length > q.maxChoices)
      throw bad(`answers.${q.id}`, `Choose at most ${q.maxChoices} options`);
    out.push({ questionId: q.id, choices: choices.sort((x, y) => x - y), text: null });
  }
  return out;
}

export interface QuestionResult {
  questionId: string;
  text: string;
  kind: SurveyQuestion['kind'];
  /** How many people answered this question. */
  answered: number;
  /** Per option, in order (choice questions). */
  options: { option: string; count: number }[];
  /** Moderated free-text answers (TEXT questions): only those whose response was approved. */
  texts: string[];
}

/** The results: counts per option, and the free-text answers a handler approved for publication. */
export function tallySurvey(
  questions: SurveyQuestion[],
  responses: { answers: SurveyAnswer[]; textStatus: string }[],
): { responses: number; questions: QuestionResult[] } {
  const results = questions.map<QuestionResult>((q) => ({
    questionId: q.id,
    text: q.text,
    kind: q.kind,
    answered: 0,
    options: q.options.map((option) => ({ option, count: 0 })),
    texts: [],
  }));
  const byId = new Map(results.map((r) => [r.questionId, r]));
  for (const r of responses) {
    for (const a of r.answers) {
      const res = byId.get(a.questionId);
      if (!res) continue;
      res.answered += 1;
      for (const c of a.choices) if (res.options[c]) res.options[c].count += 1;
      if (a.text && r.textStatus === 'APPROVED') res.texts.push(a.text);
    }
  }
  return { responses: responses.length, questions: results };
}

/** The one-answer key: the contact normalised (a phone's digits, an e-mail lower-cased). */
export function normaliseContact(contact: string): string {
  const c = contact.trim().toLowerCase();
  if (c.includes('@')) return c;
  const digits = c.replace(/[^0-9]/g, '');
  // +86 / 0086 prefixes name the same mobile number.
  return digits.replace(/^(0086|86)(?=1\d{10}$)/, '');
}

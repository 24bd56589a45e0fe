import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.ts';
import type { SurveyQuestion } from './survey.entity.ts';
import { checkSurveyAnswers, normaliseContact, surveyPhase, tallySurvey } from './survey.policy.ts';

const q = (over: Partial<SurveyQuestion> & Pick<SurveyQuestion, 'id' | 'kind'>): SurveyQuestion => ({
  text: over.id,
  required: true,
  options: [],
  maxChoices: null,
  maxLength: null,
  ...over,
});
const questions = [
  q({ id: 'a', kind: 'SINGLE', options: ['赞成', '反对', '无所谓'] }),
  q({ id: 'b', kind: 'MULTIPLE', options: ['公交', '地铁', '自行车', '步行'], maxChoices: 2, required: false }),
  q({ id: 'c', kind: 'TEXT', maxLength: 10, required: false }),
];
const reason = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? `${e.reason}:${e.field}` : String(e);
  }
  return 'ok';
};

describe('survey answers (2015 §4 网上调查)', () => {
  it.each([
    ['a required question missing', [], 'SURVEY_ANSWER_INVALID:answers.a'],
    [
      'a single choice with two options',
      [{ questionId: 'a', choices: [0, 1], text: null }],
      'SURVEY_ANSWER_INVALID:answers.a',
    ],
    [
      'an option that does not exist',
      [{ questionId: 'a', choices: [3], text: null }],
      'SURVEY_ANSWER_INVALID:answers.a',
    ],
    [
      'more choices than allowed',
      [
        { questionId: 'a', choices: [0], text: null },
        { questionId: 'b', choices: [0, 1, 2], text: null },
      ],
      'SURVEY_ANSWER_INVALID:answers.b',
    ],
    [
      'a text over its maximum length',
      [
        { questionId: 'a', choices: [0], text: null },
        { questionId: 'c', choices: [], text: '一二三四五六七八九十一' },
      ],
      'SURVEY_ANSWER_INVALID:answers.c',
    ],
    [
      'an unknown question',
      [
        { questionId: 'a', choices: [0], text: null },
        { questionId: 'z', choices: [0], text: null },
      ],
      'SURVEY_ANSWER_INVALID:answers',
    ],
    ['only the required one', [{ questionId: 'a', choices: [2], text: null }], 'ok'],
  ])('%s', (_c, answers, expected) => {
    expect(reason(() => checkSurveyAnswers(questions, answers))).toBe(expected);
  });

  it('normalises: the questions’ order, sorted choices, empty optional answers dropped', () => {
    expect(
      checkSurveyAnswers(questions, [
        { questionId: 'c', choices: [], text: '  ' },
        { questionId: 'b', choices: [3, 1], text: null },
        { questionId: 'a', choices: [0], text: null },
      ]),
    ).toEqual([
      { questionId: 'a', choices: [0], text: null },
      { questionId: 'b', choices: [1, 3], text: null },
    ]);
  });

  it('tallies options and shows only approved free text', () => {
    const r = tallySurvey(questions, [
      {
        answers: [
          { questionId: 'a', choices: [0], text: null },
          { questionId: 'c', choices: [], text: '好' },
        ],
        textStatus: 'APPROVED',
      },
      {
        answers: [
          { questionId: 'a', choices: [0], text: null },
          { questionId: 'c', choices: [], text: '广告' },
        ],
        textStatus: 'REJECTED',
      },
      { answers: [{ questionId: 'a', choices: [1], text: null }], textStatus: 'NONE' },
    ]);
    expect(r.responses).toBe(3);
    expect(r.questions[0]!.options.map((o) => o.count)).toEqual([2, 1, 0]);
    expect(r.questions[2]).toMatchObject({ answered: 2, texts: ['好'] });
  });
});

describe('survey phase: dates enforced by the server clock', () => {
  const s = {
    status: 'OPEN' as const,
    opensAt: new Date('2026-10-01T00:00:00Z'),
    closesAt: new Date('2026-10-31T00:00:00Z'),
  };
  it.each([
    ['2026-09-30T23:59:59Z', 'UPCOMING'],
    ['2026-10-01T00:00:00Z', 'OPEN'],
    ['2026-10-30T23:59:59Z', 'OPEN'],
    ['2026-10-31T00:00:00Z', 'CLOSED'],
  ])('%s → %s', (at, phase) => {
    expect(surveyPhase(s, new Date(at))).toBe(phase);
  });
  it('a draft stays a draft and a published result stays published', () => {
    expect(surveyPhase({ ...s, status: 'DRAFT' }, new Date('2026-10-10T00:00:00Z'))).toBe('DRAFT');
    expect(surveyPhase({ ...s, status: 'RESULT_PUBLISHED' }, new Date('2026-10-10T00:00:00Z'))).toBe(
      'RESULT_PUBLISHED',
    );
  });
});

describe('one answer per contact', () => {
  it.each([
    ['138 0013 8000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['0086 13800138000', '13800138000'],
    [' Wang@Example.CN ', 'wang@example.cn'],
  ])('%s → %s', (given, key) => {
    expect(normaliseContact(given)).toBe(key);
  });
});

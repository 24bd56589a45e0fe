import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { Column } from '../../columns/column.entity.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Item } from '../../items/item.entity.ts';
import { createItem } from '../../items/item.service.ts';
import type { Ctx } from '../../shared/context.ts';
import { parseInput } from '../../shared/validation.ts';
import { chinaTime, isItemLive } from '../interaction-shared.ts';
import { escapeHtml } from '../public-write-guard.ts';
import type { Survey } from './survey.entity.ts';
import { draftSurveyResultInput } from './survey.inputs.ts';
import { type QuestionResult, surveyPhase, tallySurvey } from './survey.policy.ts';
import { requireSurveyToHandle, responsesOf, surveyStep } from './survey.service.ts';

/** The item kind of a published survey result (调查结果及运用情况), listed in the survey's column. */
export const SURVEY_RESULT_KIND = 'SURVEY_RESULT';

/**
 * The results of some surveys: for their handlers at any time; for anyone else only once the results are
 * published (RESULT_PUBLISHED). Otherwise null.
 */
export async function surveyResults(
  ctx: Ctx,
  surveys: readonly Survey[],
): Promise<Map<string, { responses: number; questions: QuestionResult[] } | null>> {
  const visible = surveys.filter(
    (s) => s.status === 'RESULT_PUBLISHED' || canHandleInteraction(ctx.actor, s.siteId, ctx.directory),
  );
  const responses = await responsesOf(ctx, visible);
  return new Map(
    surveys.map((s) => [s.id, responses.has(s.id) ? tallySurvey(s.questions, responses.get(s.id) ?? []) : null]),
  );
}

function resultBody(s: Survey, tally: ReturnType<typeof tallySurvey>, usage: string): string {
  const parts = [
    `<p>${escapeHtml(s.description)}</p>`,
    `<p>征集事项：${escapeHtml(s.concern)}</p>`,
    `<p>征集时间：${escapeHtml(chinaTime(s.opensAt))} 至 ${escapeHtml(chinaTime(s.closesAt))}；共收到 ${tally.responses} 份意见。</p>`,
    '<h2>调查结果</h2>',
  ];
  for (const q of tally.questions) {
    parts.push(`<h3>${escapeHtml(q.text)}</h3>`);
    if (q.kind === 'TEXT') {
      parts.push(
        q.texts.length
          ? `<ul>${q.texts.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>`
          : '<p>（无公开的意见）</p>',
      );
    } else {
      const rows = q.options.map(
        (o) =>
          `<tr><td>${escapeHtml(o.option)}</td><td>${o.count}</td><td>${q.answered ? ((o.count * 100) / q.answered).toFixed(1) : '0.0'}%</td></tr>`,
      );
      parts.push(`<table><tr><th>选项</th><th>人数</th><th>比例</th></tr>${rows.join('')}</table>`);
    }
  }
  parts.push('<h2>意见运用情况</h2>', ...usage.split('\n').map((p) => `<p>${escapeHtml(p)}</p>`));
  return parts.join('');
}

/**
 * After the close (server clock), drafts the public result — counts per option, the moderated free-text answers,
 * and how the opinions were used (运用情况, required) — as an item of the survey's column, which then goes
 * through the three-level review like any publication (2015 §12). The survey is CLOSED from then on.
 */
export async function draftSurveyResult(ctx: Ctx, raw: { id: string; usage: string }): Promise<Item> {
  const input = parseInput(draftSurveyResultInput, raw);
  const s = await requireSurveyToHandle(ctx, input.id);
  const phase = surveyPhase(s, ctx.now());
  if (phase !== 'CLOSED')
    throw new AppError('INVALID_SURVEY_STATE', 'The results are drafted once the survey has closed');
  if (s.resultItemId) throw new AppError('CONFLICT', 'The result of this survey is already drafted', { field: 'id' });
  const column = await ctx.em.findOneOrFail(Column, { id: s.columnId });
  const tally = tallySurvey(s.questions, (await responsesOf(ctx, [s])).get(s.id) ?? []);
  const item = await createItem(ctx, {
    site: ctx.directory.byId(s.siteId)?.code ?? '',
    column: column.id,
    kind: SURVEY_RESULT_KIND,
    title: `${s.title}结果及运用情况`,
    summary: `共收到 ${tally.responses} 份意见`,
    body: resultBody(s, tally, input.usage),
    source: ctx.directory.byId(s.siteId)?.name ?? null,
    note: `survey ${s.id}`,
  });
  await surveyStep(ctx, s.id, 'draftResult', (locked) => {
    if (locked.resultItemId) throw new AppError('CONFLICT', 'The result of this survey is already drafted');
    locked.status = 'CLOSED';
    locked.usage = input.usage;
    locked.resultItemId = item.id;
    return { itemId: item.id, responses: tally.responses };
  });
  return item;
}

/**
 * CLOSED → RESULT_PUBLISHED, the survey's "done" (2015 §4: 及时公开调查结果及运用情况): only once the result item,
 * with its 运用情况, has passed the three-level review and is live. Before that it is SURVEY_RESULT_NOT_PUBLISHED.
 */
export const completeSurvey = (ctx: Ctx, id: string) =>
  surveyStep(ctx, id, 'complete', async (s) => {
    if (s.status === 'RESULT_PUBLISHED') throw new AppError('INVALID_SURVEY_STATE');
    if (!s.usage || !s.resultItemId || !(await isItemLive(ctx.em, s.resultItemId)))
      throw new AppError('SURVEY_RESULT_NOT_PUBLISHED');
    s.status = 'RESULT_PUBLISHED';
    s.completedAt = ctx.now();
    return { status: ['CLOSED', 'RESULT_PUBLISHED'], itemId: s.resultItemId };
  });

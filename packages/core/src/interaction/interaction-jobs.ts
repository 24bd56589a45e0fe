import type { Ctx } from '../shared/context.ts';
import { isItemLive } from './interaction-shared.ts';
import { Interview } from './interviews/interview.entity.ts';
import { completeInterview } from './interviews/interview.service.ts';
import { Survey } from './surveys/survey.entity.ts';
import { completeSurvey } from './surveys/survey-publish.ts';

/**
 * The completion sweep (pg-boss `interaction-completion`, hourly, as a system actor): an ended interview whose
 * transcript is live becomes PUBLISHED, a closed survey whose result (with its 运用情况) is live becomes
 * RESULT_PUBLISHED — the same use cases as `completeInterview` / `completeSurvey`, audited alike — so the 2015 §4
 * yearly counts do not depend on someone remembering to press "complete" after the approver signs.
 */
export async function sweepInteractionCompletions(ctx: Ctx): Promise<{ interviews: number; surveys: number }> {
  await ctx.directory.fresh();
  const result = { interviews: 0, surveys: 0 };
  const interviews = await ctx.em.find(Interview, { status: 'ENDED', transcriptItemId: { $ne: null } });
  for (const i of interviews) {
    if (!(await isItemLive(ctx.em, i.transcriptItemId))) continue;
    await completeInterview(ctx, i.id);
    result.interviews += 1;
  }
  const surveys = await ctx.em.find(Survey, { status: 'CLOSED', resultItemId: { $ne: null }, usage: { $ne: null } });
  for (const s of surveys) {
    if (!(await isItemLive(ctx.em, s.resultItemId))) continue;
    await completeSurvey(ctx, s.id);
    result.surveys += 1;
  }
  return result;
}

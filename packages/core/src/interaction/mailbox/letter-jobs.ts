import { chinaDate } from '../../access/actor.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { loadWorkdayCalendar } from '../../calendar/calendar.service.ts';
import type { WorkdayCalendar } from '../../calendar/workday.policy.ts';
import { addWorkdays } from '../../calendar/workday.policy.ts';
import type { Ctx } from '../../shared/context.ts';
import { letterDeadline } from './letter-deadline.policy.ts';
import { Letter } from './mailbox.entity.ts';

export interface LetterSweepResult {
  reminded: number;
  escalated: number;
  deadlinesFilled: number;
}

/** The day before which a reminder goes out: one working day ahead, or tomorrow when the calendar cannot say. */
function reminderHorizon(cal: WorkdayCalendar, today: string): string {
  try {
    return addWorkdays(cal, today, 1);
  } catch {
    return new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
}

/**
 * The deadline sweep (pg-boss, hourly, as a system actor; 2015 §4): for every open letter of every site
 * - a deadline left uncomputable for want of calendar data is computed once the year is entered;
 * - a letter due within one working day is marked reminded (`letter.remind`), once per deadline;
 * - a letter past its deadline is escalated (`letter.escalate`) to the site's admins, once per deadline.
 * Reminders and escalations are records on the letter and the audit chain, which the handlers' list and
 * `letterStats` show; no e-mail or SMS channel exists yet.
 */
export async function sweepLetterDeadlines(ctx: Ctx): Promise<LetterSweepResult> {
  await ctx.directory.fresh();
  const today = chinaDate(ctx.now());
  const open = await ctx.em.find(Letter, { status: { $in: ['RECEIVED', 'ACCEPTED'] } }, { orderBy: { siteId: 'asc' } });
  const result: LetterSweepResult = { reminded: 0, escalated: 0, deadlinesFilled: 0 };
  const calendars = new Map<string, WorkdayCalendar>();
  for (const letter of open) {
    let cal = calendars.get(letter.siteId);
    if (!cal) {
      cal = await loadWorkdayCalendar(ctx, letter.siteId, { fromYear: Number(today.slice(0, 4)) - 1 });
      calendars.set(letter.siteId, cal);
    }
    const actions: { action: string; changes: Record<string, unknown> }[] = [];
    if (letter.deadlineUncomputable) {
      const d = letterDeadline(cal, letter.receivedOn, !!letter.extendedAt);
      if (!d.uncomputable) {
        letter.dueOn = d.dueOn;
        letter.deadlineUncomputable = false;
        actions.push({ action: 'letter.deadline', changes: { dueOn: d.dueOn } });
        result.deadlinesFilled += 1;
      }
    }
    if (letter.dueOn && letter.dueOn < today && !letter.escalatedAt) {
      letter.escalatedAt = ctx.now();
      actions.push({ action: 'letter.escalate', changes: { dueOn: letter.dueOn } });
      result.escalated += 1;
    } else if (
      letter.dueOn &&
      letter.dueOn >= today &&
      letter.dueOn <= reminderHorizon(cal, today) &&
      !letter.remindedAt
    ) {
      letter.remindedAt = ctx.now();
      actions.push({ action: 'letter.remind', changes: { dueOn: letter.dueOn } });
      result.reminded += 1;
    }
    if (actions.length === 0) continue;
    await ctx.em.transactional(async (tx) => {
      await tx.nativeUpdate(
        Letter,
        { id: letter.id },
        {
          dueOn: letter.dueOn,
          deadlineUncomputable: letter.deadlineUncomputable,
          remindedAt: letter.remindedAt,
          escalatedAt: letter.escalatedAt,
        },
      );
      for (const a of actions)
        await appendAudit(tx, ctx, { siteId: letter.siteId, targetType: 'Letter', targetId: letter.id, ...a });
    });
  }
  return result;
}

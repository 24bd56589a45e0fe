import { chinaDate } from '../../access/actor.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { loadWorkdayCalendar } from '../../calendar/calendar.service.ts';
import { addWorkdays, type WorkdayCalendar } from '../../calendar/workday.policy.ts';
import type { Ctx } from '../../shared/context.ts';
import { dueOf } from './disclosure.service.ts';
import { DisclosureRequest } from './disclosure-request.entity.ts';

export interface DisclosureSweepResult {
  reminded: number;
  escalated: number;
  deadlinesFilled: number;
}

/** Reminders go out this many working days before the due date (条例 §33: 20 working days; a week's notice). */
export const DISCLOSURE_REMINDER_WORKDAYS = 3;

function reminderHorizon(cal: WorkdayCalendar, today: string): string {
  try {
    return addWorkdays(cal, today, DISCLOSURE_REMINDER_WORKDAYS);
  } catch {
    // The calendar ends within the horizon: remind by calendar days rather than not at all.
    return new Date(Date.parse(`${today}T00:00:00Z`) + DISCLOSURE_REMINDER_WORKDAYS * 86_400_000)
      .toISOString()
      .slice(0, 10);
  }
}

/**
 * The disclosure deadline sweep (pg-boss `disclosure-deadlines`, hourly, as a system actor), like the letters':
 * for every open request of every site
 * - a deadline left uncomputable for want of calendar data is computed once the year is entered
 *   (`disclosure.deadline`);
 * - a request due within DISCLOSURE_REMINDER_WORKDAYS working days is reminded (`disclosure.remind`), once per
 *   deadline;
 * - a request past its due date is escalated (`disclosure.escalate`) to the site's admins, once per deadline.
 * A request awaiting its correction (补正) has no running clock and is left alone. Reminders and escalations
 * are records on the request and the audit chain, shown in the handlers' list; no e-mail or SMS channel exists.
 */
export async function sweepDisclosureDeadlines(ctx: Ctx): Promise<DisclosureSweepResult> {
  await ctx.directory.fresh();
  const today = chinaDate(ctx.now());
  const open = await ctx.em.find(DisclosureRequest, { status: 'OPEN' }, { orderBy: { siteId: 'asc', id: 'asc' } });
  const result: DisclosureSweepResult = { reminded: 0, escalated: 0, deadlinesFilled: 0 };
  const calendars = new Map<string, WorkdayCalendar>();
  for (const r of open) {
    let cal = calendars.get(r.siteId);
    if (!cal) {
      // Requests run 20 to 40 working days (plus consultations): two years back cover every open one.
      cal = await loadWorkdayCalendar(ctx, r.siteId, { fromYear: Number(today.slice(0, 4)) - 2 });
      calendars.set(r.siteId, cal);
    }
    const actions: { action: string; changes: Record<string, unknown> }[] = [];
    if (r.deadlineUncomputable) {
      const d = await dueOf(ctx, r, cal);
      if (!d.uncomputable && d.dueOn) {
        r.dueOn = d.dueOn;
        r.deadlineUncomputable = false;
        actions.push({ action: 'disclosure.deadline', changes: { dueOn: d.dueOn } });
        result.deadlinesFilled += 1;
      }
    }
    if (r.dueOn && r.dueOn < today && !r.escalatedAt) {
      r.escalatedAt = ctx.now();
      actions.push({ action: 'disclosure.escalate', changes: { dueOn: r.dueOn } });
      result.escalated += 1;
    } else if (r.dueOn && r.dueOn >= today && r.dueOn <= reminderHorizon(cal, today) && !r.remindedAt) {
      r.remindedAt = ctx.now();
      actions.push({ action: 'disclosure.remind', changes: { dueOn: r.dueOn } });
      result.reminded += 1;
    }
    if (actions.length === 0) continue;
    await ctx.em.transactional(async (tx) => {
      await tx.nativeUpdate(
        DisclosureRequest,
        { id: r.id, status: 'OPEN' },
        {
          dueOn: r.dueOn,
          deadlineUncomputable: r.deadlineUncomputable,
          remindedAt: r.remindedAt,
          escalatedAt: r.escalatedAt,
        },
      );
      for (const a of actions)
        await appendAudit(tx, ctx, { siteId: r.siteId, targetType: 'DisclosureRequest', targetId: r.id, ...a });
    });
  }
  return result;
}

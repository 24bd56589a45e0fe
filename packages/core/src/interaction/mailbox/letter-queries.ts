import { chinaDate } from '../../access/actor.ts';
import { canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Ctx } from '../../shared/context.ts';
import { type Page, type PageArgs, pageOf } from '../../shared/pagination.ts';
import { parseInput } from '../../shared/validation.ts';
import { requireSiteByCode } from '../../sites/site-lookup.ts';
import { type LetterStatus, median } from './letter-deadline.policy.ts';
import { requireLetterToHandle } from './letter-handling.ts';
import { letterStatsInput } from './letter.inputs.ts';
import { Letter, type LetterContact } from './mailbox.entity.ts';

async function requireHandledSite(ctx: Ctx, code: string) {
  const site = await requireSiteByCode(ctx, code);
  if (!canHandleInteraction(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  return site;
}

export interface ListLettersArgs extends PageArgs {
  site: string;
  status?: LetterStatus | null;
  /** Only letters whose deadline has passed while they are open. */
  overdue?: boolean | null;
}

/** The handlers’ list, newest first (letter ids are time-ordered UUIDv7). Contact details are a separate, audited read. */
export async function listLetters(ctx: Ctx, args: ListLettersArgs): Promise<Page<Letter>> {
  await ctx.directory.fresh();
  const site = await requireHandledSite(ctx, args.site);
  const today = chinaDate(ctx.now());
  return pageOf(ctx.em, Letter, {
    where: {
      siteId: site.id,
      ...(args.status ? { status: args.status } : {}),
      ...(args.overdue ? { status: { $in: ['RECEIVED', 'ACCEPTED'] }, dueOn: { $lt: today } } : {}),
    },
    orderBy: 'id',
    cursor: 'uuid',
    direction: 'desc',
    args,
  });
}

/** One letter for its handlers (without the contact details, which are read apart and audited). */
export const getLetter = (ctx: Ctx, id: string) => requireLetterToHandle(ctx, id);

/**
 * The writers' contact details of some letters, for their handlers only. Every read is audited, in one record
 * per site and call (`letter.readContact`, naming the letters), before the data is returned.
 */
export async function readLetterContacts(ctx: Ctx, ids: readonly string[]): Promise<Map<string, LetterContact>> {
  await ctx.directory.fresh();
  const letters = await ctx.em.find(Letter, { id: { $in: [...new Set(ids)] } });
  const allowed = letters.filter((l) => canHandleInteraction(ctx.actor, l.siteId, ctx.directory));
  if (allowed.length === 0) return new Map();
  const bySite = new Map<string, string[]>();
  for (const l of allowed) bySite.set(l.siteId, [...(bySite.get(l.siteId) ?? []), l.id]);
  await ctx.em.transactional(async (tx) => {
    for (const [siteId, letterIds] of bySite) {
      await appendAudit(tx, ctx, {
        siteId,
        action: 'letter.readContact',
        targetType: 'Letter',
        targetId: letterIds.length === 1 ? letterIds[0] : null,
        changes: { letters: letterIds },
      });
    }
  });
  return new Map(allowed.map((l) => [l.id, l.contact]));
}

export interface LetterStats {
  received: number;
  valid: number;
  invalid: number;
  handled: number;
  /** Valid letters answered (or closed with an explanation) ÷ valid letters; the target is 1 (2015 §4). */
  handlingRate: number | null;
  medianResponseHours: number | null;
  worstResponseHours: number | null;
  /** Open letters past their deadline now. */
  overdue: number;
  deadlineUncomputable: number;
  /** The national veto: letters (of any date) unanswered for more than 3 months. */
  unansweredOver3Months: number;
}

/** Figures of a site's letters received in [from, to] (China Standard Time dates), plus the veto count. */
export async function letterStats(ctx: Ctx, raw: { site: string; from: string; to: string }): Promise<LetterStats> {
  const input = parseInput(letterStatsInput, raw);
  await ctx.directory.fresh();
  const site = await requireHandledSite(ctx, input.site);
  const rows = await ctx.em.execute<
    { status: LetterStatus; due_on: string | null; uncomputable: boolean; hours: number | null }[]
  >(
    `select status, to_char(due_on, 'YYYY-MM-DD') as due_on, deadline_uncomputable as uncomputable,
            extract(epoch from coalesce(answered_at, closed_at) - received_at) / 3600.0 as hours
       from letter where site_id = ? and received_on between ?::date and ?::date`,
    [site.id, input.from, input.to],
  );
  const [veto] = await ctx.em.execute<{ n: number }[]>(
    `select count(*)::int as n from letter
      where site_id = ? and status in ('RECEIVED', 'ACCEPTED') and received_at + interval '3 months' < ?`,
    [site.id, ctx.now()],
  );
  const today = chinaDate(ctx.now());
  const open = (s: LetterStatus) => s === 'RECEIVED' || s === 'ACCEPTED';
  const valid = rows.filter((r) => r.status !== 'INVALID' && r.status !== 'RECEIVED');
  const handled = valid.filter((r) => r.status === 'ANSWERED' || r.status === 'CLOSED');
  const hours = handled.map((r) => Number(r.hours));
  return {
    received: rows.length,
    valid: valid.length,
    invalid: rows.filter((r) => r.status === 'INVALID').length,
    handled: handled.length,
    handlingRate: valid.length ? handled.length / valid.length : null,
    medianResponseHours: median(hours),
    worstResponseHours: hours.length ? Math.max(...hours) : null,
    overdue: rows.filter((r) => open(r.status) && r.due_on !== null && r.due_on < today).length,
    deadlineUncomputable: rows.filter((r) => r.uncomputable && open(r.status)).length,
    unansweredOver3Months: veto?.n ?? 0,
  };
}

import { canHandleInteraction } from '../access/permissions.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import type { SiteKind } from '../sites/site.entity.ts';

/**
 * 2015 §4, word for word: 开办访谈类栏目的，要合理确定举办频次，县（区）政府门户网站每年不少于4次，市级部门网站每年不少于2次
 * … 调查类栏目 … 定期开展意见征集，县（区）政府门户网站每年不少于4次，市级部门网站每年不少于2次，并及时公开调查结果及运用情况。
 * County portals and city departments' sites; the notice sets no minimum for the city portal (null).
 */
export const yearlyMinimums: Record<SiteKind, { interviews: number; consultations: number } | null> = {
  CITY_PORTAL: null,
  COUNTY_PORTAL: { interviews: 4, consultations: 4 },
  DEPARTMENT: { interviews: 2, consultations: 2 },
};

export interface InteractionYearRow {
  siteId: string;
  site: string;
  name: string;
  kind: SiteKind;
  year: number;
  /** Interviews held in the year (by start, China Standard Time) whose transcript is published (PUBLISHED). */
  interviews: number;
  /** Surveys and consultations closed in the year whose results and 运用情况 are published (RESULT_PUBLISHED). */
  consultations: number;
  /** Held or running but not done yet: for the office's follow-up, not counted. */
  interviewsPending: number;
  consultationsPending: number;
  interviewsMinimum: number | null;
  consultationsMinimum: number | null;
  /** Below either minimum. For the running year: below it so far. */
  behind: boolean;
}

/**
 * The yearly counts per site against 2015 §4's minimums, and who is behind: for the city office (platform
 * admins) every online site; for a site's admins and interaction handlers their own site (and, for admins, the
 * sites below theirs). With `site`, that one site (NOT_FOUND outside the actor's reach). Only what is done counts:
 * an interview with its transcript published, a survey with its results and 运用情况 published.
 */
export async function interactionYearReport(
  ctx: Ctx,
  args: { year: number; site?: string | null; behindOnly?: boolean | null },
): Promise<InteractionYearRow[]> {
  const year = Number(args.year);
  if (!Number.isInteger(year) || year < 2015 || year > 2100)
    throw new AppError('INVALID_INPUT', 'year', { field: 'year' });
  const dir = await ctx.directory.fresh();
  const sites = dir
    .all()
    .filter((e) => e.status === 'ONLINE' && canHandleInteraction(ctx.actor, e.id, dir))
    .filter((e) => !args.site || e.code === args.site);
  if (args.site && sites.length === 0) throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  if (sites.length === 0) return [];
  const ids = sites.map((s) => s.id);
  const from = `${year}-01-01T00:00:00+08:00`;
  const to = `${year + 1}-01-01T00:00:00+08:00`;
  // Row-level security limits both queries to the actor's sites whatever the ids say.
  const interviews = await ctx.em.execute<{ site_id: string; done: number; pending: number }[]>(
    `select site_id, count(*) filter (where status = 'PUBLISHED')::int as done,
            count(*) filter (where status <> 'PUBLISHED')::int as pending
       from interview where site_id = any (?::uuid[]) and starts_at >= ?::timestamptz and starts_at < ?::timestamptz
      group by site_id`,
    [`{${ids.join(',')}}`, from, to],
  );
  const surveys = await ctx.em.execute<{ site_id: string; done: number; pending: number }[]>(
    `select site_id, count(*) filter (where status = 'RESULT_PUBLISHED')::int as done,
            count(*) filter (where status in ('OPEN', 'CLOSED'))::int as pending
       from survey where site_id = any (?::uuid[]) and closes_at >= ?::timestamptz and closes_at < ?::timestamptz
      group by site_id`,
    [`{${ids.join(',')}}`, from, to],
  );
  const iv = new Map(interviews.map((r) => [r.site_id, r]));
  const sv = new Map(surveys.map((r) => [r.site_id, r]));
  const rows = sites.map<InteractionYearRow>((e) => {
    const min = yearlyMinimums[e.kind];
    const interviewsDone = iv.get(e.id)?.done ?? 0;
    const consultationsDone = sv.get(e.id)?.done ?? 0;
    return {
      siteId: e.id,
      site: e.code,
      name: e.name,
      kind: e.kind,
      year,
      interviews: interviewsDone,
      consultations: consultationsDone,
      interviewsPending: iv.get(e.id)?.pending ?? 0,
      consultationsPending: sv.get(e.id)?.pending ?? 0,
      interviewsMinimum: min?.interviews ?? null,
      consultationsMinimum: min?.consultations ?? null,
      behind: !!min && (interviewsDone < min.interviews || consultationsDone < min.consultations),
    };
  });
  rows.sort((a, b) => Number(b.behind) - Number(a.behind) || a.site.localeCompare(b.site));
  return args.behindOnly ? rows.filter((r) => r.behind) : rows;
}

import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { canAdministerSite, isPlatformWide } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { parseInput } from '../shared/validation.ts';
import { visibleSiteIds } from '../sites/site.service.ts';
import { assertWritable, requireSiteByCode } from '../sites/site-lookup.ts';
import {
  type AddWorkdaysInput,
  addWorkdaysInput,
  calendarYear,
  type SetWorkdayExceptionsInput,
  setWorkdayExceptionsInput,
} from './calendar.inputs.ts';
import { addWorkdays, type WorkdayCalendar } from './workday.policy.ts';

/** One row of the calendar: national (siteId null) or a site's regional exception. */
export interface WorkdayException {
  date: string;
  off: boolean;
  name: string;
  source: string;
  siteId: string | null;
}

export interface WorkdayYear {
  year: number;
  /** Whether the year has published data (national, or the site's own): deadlines in it can be computed. */
  covered: boolean;
  exceptions: WorkdayException[];
}

const EXCEPTION_COLUMNS = `to_char(day, 'YYYY-MM-DD') as date, off, name, source, site_id as "siteId"`;

/**
 * Reads national rows plus one site's regional rows, and nothing else: the session's scope holds that site
 * only, so row-level security itself keeps other sites' regional rows out. National rows are readable by all.
 */
function calendarReader(ctx: Ctx, siteId: string | null): EntityManager {
  return forkForPublicRead(ctx, siteId ? [siteId] : []);
}

/** The regional rows of a site are public once the site is (or when the actor reaches it); else it is missing. */
function assertVisibleSite(ctx: Ctx, siteId: string | null): void {
  if (siteId && !visibleSiteIds(ctx).includes(siteId)) {
    throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  }
}

async function calendarSiteId(ctx: Ctx, code: string | null | undefined): Promise<string | null> {
  if (code == null) return null;
  const entry = (await ctx.directory.fresh()).byCode(code);
  if (!entry) throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  assertVisibleSite(ctx, entry.id);
  return entry.id;
}

/** Regional rows override national ones of the same day (条例 §4: local holidays are set locally). */
function effective(rows: WorkdayException[]): WorkdayException[] {
  const byDay = new Map<string, WorkdayException>();
  for (const r of rows) if (r.siteId === null) byDay.set(r.date, r);
  for (const r of rows) if (r.siteId !== null) byDay.set(r.date, r);
  return [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * The working-day calendar that applies to a site (null: the national one). A year is covered when it has a
 * national or a regional workday_year row. `fromYear` skips older years when the caller only counts forward.
 * The site must be one the actor may see (reachable, or public).
 */
export async function loadWorkdayCalendar(
  ctx: Ctx,
  siteId: string | null,
  opts: { fromYear?: number } = {},
): Promise<WorkdayCalendar> {
  await ctx.directory.fresh();
  assertVisibleSite(ctx, siteId);
  const em = calendarReader(ctx, siteId);
  const from = opts.fromYear ?? 0;
  const rows = await em.execute<WorkdayException[]>(
    `select ${EXCEPTION_COLUMNS} from workday_exception
      where (site_id is null or site_id = ?) and day >= make_date(greatest(?::int, 1), 1, 1)`,
    [siteId, from],
  );
  // A year is covered only by national data: regional rows add local holidays, they never stand in for the
  // State Council's notice (a year with only regional rows would silently lose every national holiday).
  const years = await em.execute<{ year: number }[]>(
    'select year from workday_year where site_id is null and year >= ?',
    [from],
  );
  const days = effective(rows);
  return {
    years: new Set(years.map((y) => Number(y.year))),
    off: new Set(days.filter((d) => d.off).map((d) => d.date)),
    on: new Set(days.filter((d) => !d.off).map((d) => d.date)),
  };
}

/** Public: one year's exceptions, national plus (when a site is given) that site's regional rows. */
export async function readWorkdayYear(ctx: Ctx, args: { year: number; site?: string | null }): Promise<WorkdayYear> {
  const { year } = parseInput(z.object({ year: calendarYear }), { year: args.year });
  const siteId = await calendarSiteId(ctx, args.site);
  const em = calendarReader(ctx, siteId);
  const rows = await em.execute<WorkdayException[]>(
    `select ${EXCEPTION_COLUMNS} from workday_exception
      where (site_id is null or site_id = ?) and day between make_date(?, 1, 1) and make_date(?, 12, 31)`,
    [siteId, year, year],
  );
  const [covered] = await em.execute<{ n: number }[]>(
    'select count(*)::int as n from workday_year where (site_id is null or site_id = ?) and year = ?',
    [siteId, year],
  );
  return { year, covered: (covered?.n ?? 0) > 0, exceptions: effective(rows) };
}

/** Public: the date `days` working days after `date` (Civil Code §201); CALENDAR_YEAR_MISSING beyond the data. */
export async function addWorkdaysFor(ctx: Ctx, raw: AddWorkdaysInput): Promise<string> {
  const input = parseInput(addWorkdaysInput, raw);
  const siteId = await calendarSiteId(ctx, input.site);
  const cal = await loadWorkdayCalendar(ctx, siteId, { fromYear: Number(input.date.slice(0, 4)) });
  return addWorkdays(cal, input.date, input.days);
}

/** National rows: platform-wide actors. Regional rows: the site's admins (条例 §4, local holidays). */
async function calendarWriteScope(ctx: Ctx, siteCode: string | null | undefined): Promise<string | null> {
  if (siteCode == null) {
    if (!isPlatformWide(ctx.actor)) throw new AppError('FORBIDDEN', 'Only platform admins set the national calendar');
    return null;
  }
  // A site outside the actor's reach is reported exactly like a missing one (row-level security hides it).
  const site = await requireSiteByCode(ctx, siteCode);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  return site.id;
}

const scopeRows = (em: EntityManager, year: number, siteId: string | null) =>
  em.execute<WorkdayException[]>(
    `select ${EXCEPTION_COLUMNS} from workday_exception
      where site_id is not distinct from ?::uuid and day between make_date(?, 1, 1) and make_date(?, 12, 31)
      order by day`,
    [siteId, year, year],
  );

function dayChanges(before: WorkdayException[], after: WorkdayException[]) {
  const key = (e: WorkdayException) => `${e.date} ${e.off ? 'off' : 'on'} ${e.name}`;
  const was = new Set(before.map(key));
  const now = new Set(after.map(key));
  return { removed: [...was].filter((k) => !now.has(k)), added: [...now].filter((k) => !was.has(k)) };
}

/**
 * Replaces one year's exceptions of one scope (national or a site's region) and marks the year as covered, in
 * one transaction with its audit record. Returns the rows of that year and scope.
 */
export async function setWorkdayExceptions(ctx: Ctx, raw: SetWorkdayExceptionsInput): Promise<WorkdayException[]> {
  const siteId = await calendarWriteScope(ctx, raw.site);
  const input = parseInput(setWorkdayExceptionsInput, raw);
  const createdBy = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  const at = ctx.now().toISOString();
  return ctx.em.transactional(async (tx) => {
    // Two replacements of the same year and scope would otherwise both delete and then clash on insert.
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `zq.calendar:${input.year}:${siteId ?? 'national'}`,
    ]);
    const before = await scopeRows(tx, input.year, siteId);
    const [previous] = await tx.execute<{ source: string }[]>(
      'select source from workday_year where year = ? and site_id is not distinct from ?::uuid',
      [input.year, siteId],
    );
    await tx.execute(
      `delete from workday_exception
        where site_id is not distinct from ?::uuid and day between make_date(?, 1, 1) and make_date(?, 12, 31)`,
      [siteId, input.year, input.year],
    );
    await tx.execute(
      `insert into workday_exception (id, day, site_id, off, name, source, created_by, created_at)
       select gen_random_uuid(), d.date, ?::uuid, d.off, d.name, ?, ?::uuid, ?::timestamptz
         from jsonb_to_recordset(?::jsonb) as d(date date, off boolean, name text)`,
      [siteId, input.source, createdBy, at, JSON.stringify(input.days)],
    );
    await tx.execute('delete from workday_year where year = ? and site_id is not distinct from ?::uuid', [
      input.year,
      siteId,
    ]);
    await tx.execute(
      'insert into workday_year (year, site_id, source, created_at) values (?, ?::uuid, ?, ?::timestamptz)',
      [input.year, siteId, input.source, at],
    );
    const after = await scopeRows(tx, input.year, siteId);
    await appendAudit(tx, ctx, {
      siteId,
      action: 'calendar.set',
      targetType: 'WorkdayYear',
      targetId: String(input.year),
      changes: { year: input.year, source: [previous?.source ?? null, input.source], ...dayChanges(before, after) },
    });
    return after;
  });
}

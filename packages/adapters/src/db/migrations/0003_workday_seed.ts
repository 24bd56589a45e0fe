import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Migration } from '@mikro-orm/migrations';

/** The pinned data set (gov-standards §d.3/§d.4: seed from a fixed chinese-days version, never fetched at run time). */
export const CHINESE_DAYS_VERSION = '1.5.7';
export const WORKDAY_SEED_SOURCE = `chinese-days@${CHINESE_DAYS_VERSION} (国务院办公厅 holiday notice)`;

/** `dist/chinese-days.json`: date → "English,中文,days". */
export interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays: Record<string, string>;
}

export interface SeedException {
  date: string;
  off: boolean;
  name: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isWeekend = (iso: string) => [0, 6].includes(new Date(`${iso}T00:00:00Z`).getUTCDay());

function chineseName(date: string, value: string): string {
  const name = value.split(',')[1]?.trim();
  if (!ISO_DATE.test(date) || !name) throw new Error(`chinese-days: unexpected entry ${date} = ${value}`);
  return name;
}

/**
 * Only what differs from "Monday–Friday are working days" is stored (the NateScarlet model, gov-standards §d.4):
 * holidays that fall on a weekday are off, 调休 make-up days (always weekends) are on. Weekend days inside a
 * holiday need no row, and in-lieu days (调休补休) are already listed among the holidays.
 */
export function nationalExceptions(data: ChineseDaysData): { exceptions: SeedException[]; years: number[] } {
  const exceptions: SeedException[] = [];
  for (const [date, value] of Object.entries(data.holidays)) {
    if (!isWeekend(date)) exceptions.push({ date, off: true, name: chineseName(date, value) });
  }
  for (const [date, value] of Object.entries(data.workdays)) {
    if (!isWeekend(date)) throw new Error(`chinese-days: make-up working day ${date} is not a weekend day`);
    if (date in data.holidays) throw new Error(`chinese-days: ${date} is both a holiday and a working day`);
    exceptions.push({ date, off: false, name: chineseName(date, value) });
  }
  exceptions.sort((a, b) => a.date.localeCompare(b.date));
  const years = [...new Set(exceptions.map((e) => Number(e.date.slice(0, 4))))].sort((a, b) => a - b);
  // Fail the migration rather than seed a calendar with holes the deadlines would silently fall into.
  for (let y = years[0] ?? 0; y <= (years.at(-1) ?? -1); y += 1) {
    if (!years.includes(y)) throw new Error(`chinese-days: no data for ${y}`);
  }
  if (!years.includes(2015) || !years.includes(2026)) throw new Error('chinese-days: expected data for 2015–2026');
  return { exceptions, years };
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The statements of the seed: national rows (site_id null); rows entered by hand before it keep precedence. */
export function workdaySeedSql(data: ChineseDaysData): string[] {
  const { exceptions, years } = nationalExceptions(data);
  const source = literal(WORKDAY_SEED_SOURCE);
  const rows = exceptions.map(
    (e) => `(gen_random_uuid(), date '${e.date}', null, ${e.off}, ${literal(e.name)}, ${source}, now())`,
  );
  const yearRows = years.map((y) => `(${y}, null, ${source}, now())`);
  const insert = (head: string, values: string[]) =>
    `${head} values\n  ${values.join(',\n  ')}\non conflict do nothing`;
  return [
    insert('insert into workday_exception (id, day, site_id, off, name, source, created_at)', rows),
    insert('insert into workday_year (year, site_id, source, created_at)', yearRows),
  ];
}

/** Reads the installed package, refusing any other version than the pinned one (the seed must be reproducible). */
export function readChineseDays(): ChineseDaysData {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve('chinese-days/package.json'), 'utf8')) as { version: string };
  if (pkg.version !== CHINESE_DAYS_VERSION) {
    throw new Error(`chinese-days ${pkg.version} is installed; the workday seed is pinned to ${CHINESE_DAYS_VERSION}`);
  }
  return JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as ChineseDaysData;
}

/** 0003: the national working-day calendar for every year the pinned chinese-days covers (2004–2026 in 1.5.7). */
export class WorkdaySeedMigration extends Migration {
  override up(): void {
    for (const sql of workdaySeedSql(readChineseDays())) this.addSql(sql);
  }
}

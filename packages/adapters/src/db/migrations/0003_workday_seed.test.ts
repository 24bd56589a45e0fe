import { describe, expect, it } from 'vitest';
import { type ChineseDaysData, nationalExceptions, readChineseDays, workdaySeedSql } from './0003_workday_seed.ts';

const data = readChineseDays();
const { exceptions, years } = nationalExceptions(data);
const byDate = new Map(exceptions.map((e) => [e.date, e]));
const dow = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();

describe('the national working-day seed (chinese-days 1.5.7)', () => {
  it('covers every year from 2015 to 2026 without gaps', () => {
    expect(years).toEqual(expect.arrayContaining([2015, 2016, 2020, 2024, 2025, 2026]));
    expect(years.at(-1)! - years[0]! + 1).toBe(years.length);
  });

  it.each([
    ['2015-09-03', true, '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日'], // the one-off 2015 day off
    ['2015-09-06', false, '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日'], // its Sunday make-up day
    ['2020-01-31', true, '春节'], // the 2020 Spring Festival extension
    ['2024-10-07', true, '国庆节'],
    ['2024-09-29', false, '国庆节'],
    ['2024-02-18', false, '春节'],
    ['2025-05-05', true, '劳动节'], // 2025: 劳动节 two statutory days
  ])('%s is off=%s (%s)', (date, off, name) => {
    expect(byDate.get(date)).toEqual({ date, off, name });
  });

  it('stores only what differs from Monday–Friday', () => {
    expect(byDate.has('2024-02-09')).toBe(false); // 除夕 was a working day in 2024
    expect(byDate.has('2024-10-05')).toBe(false); // a Saturday inside 国庆: off anyway
    for (const e of exceptions) expect([0, 6].includes(dow(e.date)), e.date).toBe(!e.off);
  });

  it('refuses data with a weekday make-up day', () => {
    const bad: ChineseDaysData = { ...data, workdays: { ...data.workdays, '2024-03-04': 'X,某日,1' } };
    expect(() => nationalExceptions(bad)).toThrow(/not a weekend day/);
  });

  it('generates one national row per exception and per year', () => {
    const [rows, yearRows] = workdaySeedSql(data);
    expect(rows!.match(/gen_random_uuid\(\)/g)).toHaveLength(exceptions.length);
    expect(yearRows!.match(/\(\d{4}, null,/g)).toHaveLength(years.length);
    expect(rows).toContain("'chinese-days@1.5.7 (国务院办公厅 holiday notice)'");
  });
});

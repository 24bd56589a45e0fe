import { computeDeadline, loadWorkdayCalendar } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let platform: string;
let miyiAdmin: string;

const ADD = 'query($d: Date!, $n: Int!, $s: String) { addWorkdays(date: $d, days: $n, site: $s) }';
const YEAR = `query($y: Int!, $s: String) { workdayCalendar(year: $y, site: $s) {
  year covered exceptions { date off name source site } } }`;
const SET = `mutation($input: SetWorkdayExceptionsInput!) { setWorkdayExceptions(input: $input) {
  date off name source site } }`;

const add = (d: string, n: number, s?: string, token?: string) => t.gql(ADD, { d, n, s }, token);

const national2031 = {
  year: 2031,
  source: '国办发明电〔2030〕7号 (test)',
  days: [
    { date: '2031-01-01', off: true, name: '元旦' },
    { date: '2031-01-02', off: true, name: '元旦' },
    { date: '2031-01-05', off: false, name: '元旦' },
  ],
};

beforeAll(async () => {
  t = await startTestApp();
  platform = await t.tokenFor(demo.platformAdmin);
  miyiAdmin = await t.tokenFor(demo.admin('miyi'));
});
afterAll(async () => {
  await t?.close();
});

describe('the seeded national calendar', () => {
  it.each([
    ['2024-09-27', 20, '2024-10-30'], // 9-29 (Sun) and 10-12 (Sat) are make-up days; 10-1..7 are off
    ['2024-09-27', 7, '2024-10-12'], // lands on the Saturday make-up day
    ['2024-02-08', 7, '2024-02-23'], // 2-9 除夕 worked in 2024; 2-18 (Sun) is a make-up day
    ['2015-09-02', 1, '2015-09-06'], // 9-3 and 9-4 off (抗战胜利70周年), 9-6 Sunday make-up
  ])('%s + %i working days = %s, for anyone', async (date, n, expected) => {
    const r = await add(date, n);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ addWorkdays: expected });
  });

  it('lists a year with its exceptions and their source', async () => {
    const r = await t.gql(YEAR, { y: 2015 });
    expect(r.data!.workdayCalendar).toMatchObject({ year: 2015, covered: true });
    const day = r.data!.workdayCalendar.exceptions.find((e: { date: string }) => e.date === '2015-09-03');
    expect(day).toEqual({
      date: '2015-09-03',
      off: true,
      name: '中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日',
      source: 'chinese-days@1.5.7 (国务院办公厅 holiday notice)',
      site: null,
    });
  });

  it('covers every year from 2015 to 2026', async () => {
    for (let y = 2015; y <= 2026; y += 1) {
      const r = await t.gql(YEAR, { y });
      expect(r.data!.workdayCalendar.covered, String(y)).toBe(true);
      expect(r.data!.workdayCalendar.exceptions.length, String(y)).toBeGreaterThan(10);
    }
  });

  it('refuses to guess for a year without data', async () => {
    const r = await add('2031-03-03', 3);
    expect([codeOf(r), reasonOf(r)]).toEqual(['PRECONDITION_FAILED', 'CALENDAR_YEAR_MISSING']);
    expect(r.errors![0]!.extensions).toMatchObject({ details: { year: 2031 } });
    expect((await t.gql(YEAR, { y: 2031 })).data).toEqual({
      workdayCalendar: { year: 2031, covered: false, exceptions: [] },
    });
  });

  it('validates its arguments', async () => {
    expect(codeOf(await add('2024-02-30', 1))).toBe('BAD_USER_INPUT');
    const zero = await add('2024-03-04', 0);
    expect([codeOf(zero), zero.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', 'days']);
    expect(codeOf(await add('2024-03-04', 1, 'nosuchsite'))).toBe('NOT_FOUND');
    expect(codeOf(await add('2024-03-04', 1, ''))).toBe('NOT_FOUND');
    const year = await t.gql(YEAR, { y: 1800 });
    expect([codeOf(year), year.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', 'year']);
  });
});

describe('setWorkdayExceptions', () => {
  it('lets a platform admin add a new year, after which deadlines in it compute', async () => {
    expect(reasonOf(await add('2030-12-31', 1))).toBe('CALENDAR_YEAR_MISSING');
    const r = await t.gql(SET, { input: national2031 }, platform);
    expect(r.errors).toBeUndefined();
    expect(r.data!.setWorkdayExceptions).toEqual(
      national2031.days.map((d) => ({ ...d, source: national2031.source, site: null })),
    );
    expect((await add('2030-12-31', 1)).data).toEqual({ addWorkdays: '2031-01-03' });
    expect((await add('2031-01-02', 2)).data).toEqual({ addWorkdays: '2031-01-05' }); // the Sunday make-up day
    // The same calendar drives publishing deadlines (2015 §2: normative documents within 3 working days).
    const cal = await loadWorkdayCalendar(t.platform.systemCtx('test:calendar'), null);
    const deadline = computeDeadline(
      { rule: null, amount: null, kind: 'POLICY_DOCUMENT', occurredAt: null, issuedAt: '2030-12-31' },
      cal,
    );
    expect(deadline?.toISOString()).toBe('2031-01-06T16:00:00.000Z'); // 1-3 Fri, 1-5 Sun (make-up), 1-6 Mon
  });

  it("replaces the year's rows of that scope", async () => {
    const input = {
      ...national2031,
      source: 'https://www.gov.cn/zhengce/content/2030-test.htm',
      days: national2031.days.slice(0, 1),
    };
    const r = await t.gql(SET, { input }, platform);
    expect(r.data!.setWorkdayExceptions.map((e: { date: string }) => e.date)).toEqual(['2031-01-01']);
    const year = await t.gql(YEAR, { y: 2031 });
    expect(year.data!.workdayCalendar.exceptions).toHaveLength(1);
    expect((await add('2031-01-01', 1)).data).toEqual({ addWorkdays: '2031-01-02' });
  });

  it('does not let a site admin set national rows', async () => {
    const r = await t.gql(SET, { input: national2031 }, miyiAdmin);
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(SET, { input: national2031 }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql(SET, { input: { ...national2031, site: '' } }, platform))).toBe('NOT_FOUND');
  });

  it('lets a site admin set regional rows for their site only (条例 §4: local holidays)', async () => {
    const input = {
      year: 2024,
      site: 'miyi',
      source: '米府办发〔2024〕1号 (test)',
      days: [{ date: '2024-07-29', off: true, name: '火把节' }],
    };
    const r = await t.gql(SET, { input }, miyiAdmin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.setWorkdayExceptions).toEqual([{ ...input.days[0], source: input.source, site: 'miyi' }]);
    expect((await add('2024-07-26', 1, 'miyi')).data).toEqual({ addWorkdays: '2024-07-30' });
    expect((await add('2024-07-26', 1, 'edu')).data).toEqual({ addWorkdays: '2024-07-29' });
    expect((await add('2024-07-26', 1)).data).toEqual({ addWorkdays: '2024-07-29' });
    // Regional rows come on top of the national ones, and only when that site is asked for.
    const miyi = (await t.gql(YEAR, { y: 2024, s: 'miyi' })).data!.workdayCalendar.exceptions;
    const national = (await t.gql(YEAR, { y: 2024 })).data!.workdayCalendar.exceptions;
    expect(miyi).toHaveLength(national.length + 1);
    expect(miyi).toContainEqual({ date: '2024-07-29', off: true, name: '火把节', source: input.source, site: 'miyi' });
    expect(national.some((e: { site: string | null }) => e.site !== null)).toBe(false);
  });

  it('is refused to the editors of the site', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    const input = { year: 2024, site: 'miyi', source: 'x', days: [{ date: '2024-07-29', off: true, name: '火把节' }] };
    expect(codeOf(await t.gql(SET, { input }, editor))).toBe('FORBIDDEN');
  });

  it.each([
    [
      'a make-up day on a weekday',
      { days: [national2031.days[0], { date: '2031-01-03', off: false, name: 'x' }] },
      'days.1.date',
    ],
    ['a day off on a weekend', { days: [{ date: '2031-01-04', off: true, name: 'x' }] }, 'days.0.date'],
    ['a day outside the year', { days: [{ date: '2030-12-31', off: true, name: 'x' }] }, 'days.0.date'],
    ['a day that does not exist', { days: [{ date: '2031-02-29', off: true, name: 'x' }] }, 'days.0.date'],
    ['a day listed twice', { days: [national2031.days[0], national2031.days[0]] }, 'days.1.date'],
    ['no source', { source: '  ' }, 'source'],
    ['no days', { days: [] }, 'days'],
  ])('refuses %s, naming the field', async (_label, over, field) => {
    const r = await t.gql(SET, { input: { ...national2031, ...over } }, platform);
    expect([codeOf(r), r.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', field]);
  });

  it('records each change in the audit log', async () => {
    const chain = await t.gql(
      '{ auditLog(action: "calendar.set", first: 5) { edges { node { siteCode targetType targetId changes } } } }',
      {},
      platform,
    );
    const records = chain.data!.auditLog.edges.map((e: { node: unknown }) => e.node);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      siteCode: null,
      targetType: 'WorkdayYear',
      targetId: '2031',
      changes: {
        year: 2031,
        source: ['国办发明电〔2030〕7号 (test)', 'https://www.gov.cn/zhengce/content/2030-test.htm'],
        removed: ['2031-01-02 off 元旦', '2031-01-05 on 元旦'],
        added: [],
      },
    });
    expect(records[1].changes).toMatchObject({ source: [null, national2031.source], removed: [] });
    const regional = await t.gql(
      '{ auditLog(site: "miyi", action: "calendar.set") { edges { node { changes } } } }',
      {},
      miyiAdmin,
    );
    expect(regional.data!.auditLog.edges[0].node.changes).toMatchObject({
      year: 2024,
      added: ['2024-07-29 off 火把节'],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { checkSitePlacement, checkStatusTransition, shortSiteName } from './site.policy.ts';

const reasonOf = (fn: () => void) => {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return e instanceof AppError ? e.reason : String(e);
  }
};

describe('checkSitePlacement (2015 §9)', () => {
  it.each([
    ['CITY_PORTAL', '攀枝花市人民政府', null, 'OK'],
    ['CITY_PORTAL', '攀枝花市人民政府', 'CITY_PORTAL', 'INVALID_PARENT_SITE'],
    ['COUNTY_PORTAL', '米易县人民政府', 'CITY_PORTAL', 'OK'],
    ['COUNTY_PORTAL', '米易县人民政府', null, 'INVALID_PARENT_SITE'],
    ['DEPARTMENT', '攀枝花市教育局', 'CITY_PORTAL', 'OK'],
    ['DEPARTMENT', '米易县教育局', 'COUNTY_PORTAL', 'COUNTY_DEPARTMENT_SITE_NOT_ALLOWED'],
    ['DEPARTMENT', '攀枝花市教育局', 'DEPARTMENT', 'INVALID_PARENT_SITE'],
    ['TOWNSHIP', '攀莲镇人民政府', 'COUNTY_PORTAL', 'TOWNSHIP_SITE_NOT_ALLOWED'],
    ['COUNTY_PORTAL', '攀莲镇人民政府', 'CITY_PORTAL', 'TOWNSHIP_SITE_NOT_ALLOWED'],
    ['DEPARTMENT', '炳草岗街道办事处', 'CITY_PORTAL', 'TOWNSHIP_SITE_NOT_ALLOWED'],
    ['DEPARTMENT', '白马乡', 'CITY_PORTAL', 'TOWNSHIP_SITE_NOT_ALLOWED'],
    ['SOMETHING', '某某', 'CITY_PORTAL', 'INVALID_INPUT'],
  ] as const)('%s %s under %s → %s', (kind, name, parentKind, expected) => {
    expect(reasonOf(() => checkSitePlacement({ kind, name, parentKind }))).toBe(expected);
  });

  it('explains that township content belongs in the county portal', () => {
    expect(() => checkSitePlacement({ kind: 'TOWNSHIP', name: 'x', parentKind: null })).toThrow(/county portal/);
  });
});

describe('checkStatusTransition', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  it.each([
    ['PREPARING', 'ONLINE', 0, 'OK'],
    ['PREPARING', 'CLOSING', 0, 'INVALID_STATUS_TRANSITION'],
    ['ONLINE', 'CLOSING', 0, 'OK'],
    ['ONLINE', 'ARCHIVED', 0, 'INVALID_STATUS_TRANSITION'],
    ['CLOSING', 'ONLINE', 1, 'OK'],
    ['CLOSING', 'ARCHIVED', 29, 'CLOSING_NOTICE_PERIOD'],
    ['CLOSING', 'ARCHIVED', 30, 'OK'],
    ['ARCHIVED', 'ONLINE', 400, 'SITE_ARCHIVED'],
  ] as const)('%s → %s after %i days: %s', (from, to, days, expected) => {
    expect(reasonOf(() => checkStatusTransition(from, to, daysAgo(days), now))).toBe(expected);
  });
});

describe('shortSiteName', () => {
  it('drops 人民政府', () => {
    expect(shortSiteName('米易县人民政府')).toBe('米易县');
    expect(shortSiteName('攀枝花市教育局')).toBe('攀枝花市教育局');
  });
});

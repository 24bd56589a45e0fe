import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { fastTypes, parseTimestamptz } from './timestamptz.ts';

const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');
const same = (s: string) => {
  const ours = parseTimestamptz(s);
  const theirs = pgParse(s) as Date | number | null;
  expect(ours instanceof Date ? ours.getTime() : ours, s).toEqual(theirs instanceof Date ? theirs.getTime() : theirs);
};

describe('parseTimestamptz', () => {
  it('reads what PostgreSQL sends exactly as pg does, fractions and offsets included', () => {
    const fractions = ['', '.1', '.12', '.123', '.057', '.29', '.999', '.9995', '.123456', '.000001', '.999999'];
    const zones = ['+00', '+08', '-05', '+05:30', '-03:30', '+14', '-12', '+00:00:00', '+05:53:28', '-00:25:21'];
    let n = 0;
    // A deterministic spread of instants over four centuries.
    for (let k = 0; k < 4000; k++) {
      const t = new Date(Date.UTC(1700, 0, 1) + ((k * 2_654_435_761) % 10_000_000) * 1_234_567);
      const base = t.toISOString().slice(0, 19).replace('T', ' ');
      same(`${base}${fractions[k % fractions.length]}${zones[k % zones.length]}`);
      n++;
    }
    expect(n).toBe(4000);
  });

  it('hands anything else to pg: infinity, BC, odd years, another shape', () => {
    for (const s of [
      'infinity',
      '-infinity',
      '0044-03-15 12:00:00+00 BC',
      '0099-01-01 00:00:00+00',
      '12345-01-01 00:00:00+00',
      '2025-01-01 00:00:00',
      '2025-01-01T00:00:00+00',
      '2025-1a-01 00:00:00+00',
      '2025-01-01 00:00:00+0x',
    ]) {
      same(s);
    }
    expect(parseTimestamptz('infinity')).toBe(Number.POSITIVE_INFINITY);
  });

  it('is what a pool with fastTypes uses for timestamptz, and only for it', () => {
    expect(fastTypes.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text')).toBe(parseTimestamptz);
    expect(fastTypes.getTypeParser(pg.types.builtins.TIMESTAMP, 'text')).toBe(
      pg.types.getTypeParser(pg.types.builtins.TIMESTAMP, 'text'),
    );
    expect(fastTypes.getTypeParser(pg.types.builtins.JSONB, 'text')).toBe(
      pg.types.getTypeParser(pg.types.builtins.JSONB, 'text'),
    );
  });
});

import pg from 'pg';

/** pg's own parser for `timestamptz` text (postgres-date): regular expressions, several per value. */
const general = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date | number;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
const isDigit = (s: string, i: number) => digit(s, i) >= 0 && digit(s, i) <= 9;
/** Where `YYYY-MM-DD HH:MM:SS` has its digits. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * The `timestamptz` text PostgreSQL sends with DateStyle ISO — `2025-03-04 05:06:07.123456+08`, the offset
 * `±HH`, `±HH:MM` or `±HH:MM:SS` — read by position instead of by regular expressions: a list of 20 items carries
 * 100 of them, and pg's parser was the costliest single function of the cold list path (ADR 0030). Anything else
 * (infinity, BC, a year beyond 9999 or before 100, another DateStyle) goes to pg's parser, and what this returns
 * is the very Date that parser returns (the same arithmetic, fractional milliseconds included;
 * packages/adapters/test/timestamptz.test.ts compares both).
 */
export function parseTimestamptz(s: string): Date | number {
  const n = s.length;
  if (
    n < 22 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 32 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(n - 1) === 67 /* "BC" */ ||
    !DIGITS.every((i) => isDigit(s, i))
  )
    return general(s);
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2);
  if (!(year >= 100 && year <= 9999)) return general(s);
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    // As postgres-date computes it, so the result is the same to the millisecond.
    ms = 1000 * Number.parseFloat(s.slice(i, j));
    i = j;
  }
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return general(s);
  const zone = n - i;
  // ±HH, ±HH:MM or ±HH:MM:SS and nothing after.
  if (zone !== 3 && zone !== 6 && zone !== 9) return general(s);
  for (let k = i + 1; k < n; k++)
    if (!isDigit(s, k) && !(s.charCodeAt(k) === 58 && (k - i) % 3 === 0)) return general(s);
  let offset = two(s, i + 1) * 3600;
  if (zone >= 6) offset += two(s, i + 4) * 60;
  if (zone === 9) offset += two(s, i + 7);
  const utc = Date.UTC(year, two(s, 5) - 1, two(s, 8), two(s, 11), two(s, 14), two(s, 17), ms);
  if (Number.isNaN(utc)) return general(s);
  return new Date(utc - (sign === 45 ? -offset : offset) * 1000);
}

/** Type parsers for a pool: pg's own, but `timestamptz` read by parseTimestamptz. */
export const fastTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.TIMESTAMPTZ && format !== 'binary'
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

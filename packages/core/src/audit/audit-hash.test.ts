import { seededRandom } from '@zhanqun/importers';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './audit-hash.ts';

/** The definition canonicalJson must keep (its first form): hashes of audit records and imports depend on it. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

const KEYS = [
  'title',
  'body',
  'Title',
  'a',
  'b',
  '',
  'z',
  '标题',
  '正文',
  '\u{1F600}',
  '\uFF01',
  'a"b',
  'x\ny',
  '10',
  '2',
];
function value(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.35) {
    const leaf = [null, undefined, true, false, 0, -1.5, 1e21, '', '关于印发《通知》的"通知"', '<p>\u2028\\</p>'];
    return leaf[Math.floor(r() * leaf.length)];
  }
  if (pick < 0.45) return new Date(Date.UTC(2018, 11, 31, Math.floor(r() * 24)));
  if (pick < 0.7) return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 6); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]!] = value(r, depth + 1);
  return o;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth by code unit, drops undefined members, writes dates as ISO strings', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined], c: undefined }, 正文: new Date(Date.UTC(2018, 0, 1)) })).toBe(
      '{"a":{"d":[3,null]},"b":1,"正文":"2018-01-01T00:00:00.000Z"}',
    );
    // UTF-16 order: a surrogate pair (U+1F600 → D83D…) sorts before U+FF01.
    expect(canonicalJson({ '\uFF01': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uFF01":1}');
    expect(canonicalJson({ skipped: undefined })).toBe('{}');
    expect(canonicalJson(undefined)).toBe('null');
    // Keys a plain object cannot keep in sorted order: array indexes enumerate first, `__proto__` is the prototype.
    expect(canonicalJson({ b: 1, '10': 2, '9': 3 })).toBe('{"10":2,"9":3,"b":1}');
    expect(canonicalJson({ x: [{ '2': 'a', '10': 'b' }] })).toBe('{"x":[{"10":"b","2":"a"}]}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"z":1},"a":2}'))).toBe('{"__proto__":{"z":1},"a":2}');
    expect(canonicalJson({ '4294967295': 1, a: 2 })).toBe('{"4294967295":1,"a":2}');
  });

  it('is valid JSON of the value itself (an importer stores the text it hashes)', () => {
    const v = { title: '通知', attachments: [{ url: '/a.pdf', name: null }], extra: { n: 1 } };
    expect(JSON.parse(canonicalJson(v))).toEqual(v);
  });

  it('gives the text of its first definition on 2,000 seeded values (hashes stay what they were)', () => {
    const r = seededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const v = value(r, 0);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });
});

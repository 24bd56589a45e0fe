import { describe, expect, it } from 'vitest';
import { checkMoveTarget, columnPath, isSameOrBelow, rebasePath, renumber } from './column.policy.ts';

describe('column paths', () => {
  it('derives paths from codes', () => {
    expect(columnPath(null, 'zwgk')).toBe('/zwgk');
    expect(columnPath('/zwgk/fdzdgknr', 'zcwj')).toBe('/zwgk/fdzdgknr/zcwj');
  });
  it.each([
    ['/a', '/a', true],
    ['/a/b', '/a', true],
    ['/ab', '/a', false],
    ['/a', '/a/b', false],
  ])('%s below %s: %s', (path, anc, expected) => {
    expect(isSameOrBelow(path, anc)).toBe(expected);
  });
  it('rebases a subtree', () => {
    expect(rebasePath('/a/b/c', '/a/b', '/x/b')).toBe('/x/b/c');
    expect(() => rebasePath('/q', '/a', '/b')).toThrow();
  });
  it('rejects cycles', () => {
    expect(() => checkMoveTarget('/a', '/a/b')).toThrow(/under itself/);
    expect(() => checkMoveTarget('/a', '/a')).toThrow();
    expect(() => checkMoveTarget('/a', '/ab')).not.toThrow();
    expect(() => checkMoveTarget('/a/b', null)).not.toThrow();
  });
});

describe('renumber', () => {
  const sib = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  it('moves within siblings', () => {
    expect([...renumber(sib, 'c', 0)]).toEqual([
      ['c', 10],
      ['a', 20],
      ['b', 30],
    ]);
  });
  it('appends a newcomer and clamps the position', () => {
    expect([...renumber(sib, 'n', 99)].at(-1)).toEqual(['n', 40]);
  });
});

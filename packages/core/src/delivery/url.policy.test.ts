import { describe, expect, it } from 'vitest';
import { itemUrlPath, parsePath, redirectCandidates } from './url.policy.ts';

const locales = ['zh-CN', 'en'];

describe('the URL scheme', () => {
  it.each([
    ['/', { kind: 'home', locale: null }],
    ['/en/', { kind: 'home', locale: 'en' }],
    ['/en', { kind: 'canonicalise', location: '/en/' }],
    ['/zwgk/tzgg/', { kind: 'column', locale: null, columnPath: '/zwgk/tzgg' }],
    ['/zwgk/tzgg', { kind: 'canonicalise', location: '/zwgk/tzgg/' }],
    ['/zwgk/index.html', { kind: 'canonicalise', location: '/zwgk/' }],
    ['/index.htm', { kind: 'canonicalise', location: '/' }],
    ['/zwgk/tzgg/notice-1.html', { kind: 'item', locale: null, columnPath: '/zwgk/tzgg', slug: 'notice-1' }],
    ['/en/news/a.html', { kind: 'item', locale: 'en', columnPath: '/news', slug: 'a' }],
    ['/zwgk/tzgg/notice-1.htm', { kind: 'canonicalise', location: '/zwgk/tzgg/notice-1.html' }],
    ['//x', null],
    ['/a.html', null],
    ['/zwgk/Bad Path/', null],
  ])('%s', (path, expected) => {
    expect(parsePath(path, locales)).toEqual(expected);
  });

  it('puts a non-default locale in front, never the default one', () => {
    expect(itemUrlPath('/news', 'a', 'en', locales)).toBe('/en/news/a.html');
    expect(itemUrlPath('/news', 'a', 'zh-CN', locales)).toBe('/news/a.html');
  });

  it('looks up a path and every column above it, longest first', () => {
    expect(redirectCandidates('/a/b/c.html')).toEqual(['/a/b/c.html', '/a/b', '/a']);
    expect(redirectCandidates('/a/b/')).toEqual(['/a/b/', '/a/b', '/a']);
    expect(redirectCandidates('/old.asp')).toEqual(['/old.asp']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  bodyFileUrls,
  codeFor,
  decideColumns,
  isOwnUrl,
  legacyDate,
  legacyPath,
  nameKey,
  rewriteBodyUrls,
  slugFor,
} from './import.policy.ts';

describe('import rules', () => {
  it('turns legacy URLs into site paths with their query, and refuses what is not one', () => {
    expect(legacyPath('http://www.old.gov.cn/a/2016/0301/1.html')).toBe('/a/2016/0301/1.html');
    expect(legacyPath('https://old.gov.cn/plus/view.php?aid=1#top')).toBe('/plus/view.php?aid=1');
    expect(legacyPath('//old.gov.cn')).toBe('/');
    expect(legacyPath('/?p=12')).toBe('/?p=12');
    expect(legacyPath('list_2.html')).toBe('/list_2.html');
    for (const bad of ['', '#x', 'mailto:a@b.cn', 'javascript:alert(1)', 'ftp://x/y'])
      expect(legacyPath(bad)).toBeNull();
    expect(isOwnUrl('/uploads/a.pdf', [])).toBe(true);
    expect(isOwnUrl('http://www.old.gov.cn/a.pdf', ['www.old.gov.cn'])).toBe(true);
    expect(isOwnUrl('http://www.gov.cn/', ['www.old.gov.cn'])).toBe(false);
  });

  it('reads legacy dates as China time unless they carry an offset', () => {
    expect(legacyDate('2016-03-01 09:00:00')?.toISOString()).toBe('2016-03-01T01:00:00.000Z');
    expect(legacyDate('2016-03-01')?.toISOString()).toBe('2016-02-29T16:00:00.000Z');
    expect(legacyDate('2016-03-01T09:00:00Z')?.toISOString()).toBe('2016-03-01T09:00:00.000Z');
    expect(legacyDate('2016-03-01T09:00:00+0800')?.toISOString()).toBe('2016-03-01T01:00:00.000Z');
    expect(legacyDate('0000-00-00 00:00:00')).toBeNull();
    expect(legacyDate('昨天')).toBeNull();
  });

  it('makes slugs and codes from legacy ids, stable and valid', () => {
    expect(slugFor('123')).toBe('123');
    expect(slugFor('Post 7')).toMatch(/^post-7-[0-9a-f]{8}$/);
    expect(slugFor('通知')).toMatch(/^item-[0-9a-f]{8}$/);
    expect(slugFor('Post 7')).toBe(slugFor('Post 7'));
    expect(codeFor('5', 'tzgg')).toBe('tzgg');
    expect(codeFor('5', '{cmspath}/a/tzgg')).toBe('cmspath-a-tzgg');
    expect(codeFor('12', '通知')).toBe('c12');
    expect(nameKey('通知 公告栏目')).toBe(nameKey('通知公告'));
  });

  it('decides columns: map file, previous run, same name (below --into first), else create under the parent', () => {
    const site = [
      { id: 'a', path: '/zwdt/tzgg', name: '通知公告', type: 'LIST' },
      { id: 'b', path: '/zc/zcwj', name: '政策文件', type: 'LIST' },
      { id: 'c', path: '/zwdt/xzdt', name: '乡镇（街道）动态', type: 'LIST' },
      { id: 'd', path: '/zwdt/xzdt/old', name: '旧栏目', type: 'LIST', sourceSystem: 'dedecms', sourceId: '9' },
      { id: 'e', path: '/zwdt/xzdt/tzgg', name: '通知公告', type: 'LIST' },
    ];
    const d = decideColumns(
      [
        { sourceId: '1', name: '通知公告' },
        { sourceId: '2', name: '政策文件' },
        { sourceId: '3', name: '村务公开', slug: 'cwgk' },
        { sourceId: '4', name: '财务', parentSourceId: '3', slug: 'old' },
        { sourceId: '9', name: '改过名的栏目' },
        { sourceId: '10', name: '专项', slug: 'zx' },
      ],
      site,
      { system: 'dedecms', into: '/zwdt/xzdt', map: { '10': '/zc/zcwj', 政策文件: 'create' } },
    );
    expect(d.map((x) => [x.sourceId, x.action, x.path])).toEqual([
      ['1', 'MAP', '/zwdt/xzdt/tzgg'],
      ['2', 'CREATE', '/zwdt/xzdt/c2'],
      ['3', 'CREATE', '/zwdt/xzdt/cwgk'],
      ['4', 'CREATE', '/zwdt/xzdt/cwgk/old'],
      ['9', 'MAP', '/zwdt/xzdt/old'],
      ['10', 'MAP', '/zc/zcwj'],
    ]);
  });

  it('finds and rewrites the files and links of a body, leaving the rest', () => {
    const body = `<p><img src="/uploads/a.jpg"><a href='http://old.gov.cn/u/b.PDF'>b</a><a href=/a/1.html>x</a></p>`;
    expect(bodyFileUrls(body)).toEqual(['/uploads/a.jpg', 'http://old.gov.cn/u/b.PDF']);
    const out = rewriteBodyUrls(body, (u) =>
      u === '/a/1.html' ? '/zwdt/1.html' : u.endsWith('.jpg') ? '/media/x/original' : null,
    );
    expect(out).toBe(
      `<p><img src="/media/x/original"><a href='http://old.gov.cn/u/b.PDF'>b</a><a href="/zwdt/1.html">x</a></p>`,
    );
  });
});

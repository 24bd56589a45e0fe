import { describe, expect, it } from 'vitest';
import { bodyLinks, rewriteBodyUrls } from './body-urls.ts';
import {
  codeFor,
  decideColumns,
  isOwnUrl,
  legacyDate,
  legacyPath,
  legacySlug,
  nameKey,
  parentsFirst,
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

  it('keeps readable legacy slugs (WordPress post_name, a DedeCMS page name) and refuses the rest', () => {
    expect(legacySlug('hello-world')).toBe('hello-world');
    expect(legacySlug('Template_Sticky')).toBe('template-sticky');
    expect(legacySlug('baigu-chungeng-2016')).toBe('baigu-chungeng-2016');
    // Percent-encoded Greek or Chinese, or anything not a URL name: the id is used instead.
    expect(legacySlug('%ce%b1%ce%b2')).toBeNull();
    expect(legacySlug('%e9%80%9a%e7%9f%a5')).toBeNull();
    expect(legacySlug('a b')).toBeNull();
    expect(legacySlug('../x')).toBeNull();
    expect(legacySlug('')).toBeNull();
    expect(legacySlug(null)).toBeNull();
  });

  it('maps 政务公开 onto the portal’s 政府信息公开 and ignores bracketed qualifiers (2017 §2)', () => {
    expect(nameKey('政务公开')).toBe(nameKey('政府信息公开'));
    expect(nameKey('信息公开')).toBe(nameKey('政府信息公开'));
    expect(nameKey('乡镇（街道）动态')).toBe(nameKey('乡镇动态'));
    expect(nameKey('政务动态')).not.toBe(nameKey('政府信息公开'));
    const site = [
      { id: 'g', path: '/zwgk', name: '政府信息公开', type: 'LIST' },
      { id: 'j', path: '/jggk', name: '机构概况', type: 'LIST' },
    ];
    // A department site: its legacy 政务公开 is the template's /zwgk, not a /zwgk-2 beside it.
    const d = decideColumns(
      [
        { sourceId: '1', name: '政务公开', slug: 'zwgk' },
        { sourceId: '2', name: '公开年报', slug: 'nb', parentSourceId: '1' },
      ],
      site,
      { system: 'dedecms', into: null, map: {} },
    );
    expect(d.map((x) => [x.sourceId, x.action, x.path])).toEqual([
      ['1', 'MAP', '/zwgk'],
      ['2', 'CREATE', '/zwgk/nb'],
    ]);
  });

  it('with --into, children of a column mapped outside the subtree are created inside it; parents first', () => {
    const site = [
      { id: 'b', path: '/zwdt/bmdt', name: '部门动态', type: 'LIST' },
      { id: 'x', path: '/zwdt/xzdt', name: '乡镇（街道）动态', type: 'LIST' },
      { id: 'k', path: '/zwdt/xzdt/cwgk', name: '村务公开', type: 'LIST' },
    ];
    // The export lists a child before its parent (WordPress categories, DedeCMS arctype ids).
    const legacy = [
      { sourceId: '5', name: '财务', slug: 'cw', parentSourceId: '3' },
      { sourceId: '4', name: '村组动态', slug: 'czdt', parentSourceId: '1' },
      { sourceId: '1', name: '部门动态', slug: 'bmdt' },
      { sourceId: '2', name: '乡镇动态', slug: 'xzdt' },
      { sourceId: '3', name: '村务公开', slug: 'cwgk' },
    ];
    expect(parentsFirst(legacy).map((c) => c.sourceId)).toEqual(['3', '5', '1', '4', '2']);
    const d = decideColumns(legacy, site, { system: 'dedecms', into: '/zwdt/xzdt', map: {} });
    expect(Object.fromEntries(d.map((x) => [x.sourceId, `${x.action} ${x.path}`]))).toEqual({
      '1': 'MAP /zwdt/bmdt',
      // not /zwdt/bmdt/czdt among the county's own columns
      '4': 'CREATE /zwdt/xzdt/czdt',
      '2': 'MAP /zwdt/xzdt',
      '3': 'MAP /zwdt/xzdt/cwgk',
      // under its parent's target, which lies inside the subtree — though listed before its parent
      '5': 'CREATE /zwdt/xzdt/cwgk/cw',
    });
    // A cycle or a missing parent does not loop or drop a column.
    expect(
      parentsFirst([
        { sourceId: 'a', parentSourceId: 'b' },
        { sourceId: 'b', parentSourceId: 'a' },
        { sourceId: 'c', parentSourceId: 'z' },
      ]).length,
    ).toBe(3);
  });

  it('finds and rewrites the files and links of a body, leaving the rest', () => {
    const body = `<p><img src="/uploads/a.jpg"><a href='http://old.gov.cn/u/b.PDF'>b</a><a href=/a/1.html>x</a></p>`;
    expect(bodyLinks(body)).toEqual({
      urls: ['/uploads/a.jpg', 'http://old.gov.cn/u/b.PDF', '/a/1.html'],
      files: ['/uploads/a.jpg', 'http://old.gov.cn/u/b.PDF'],
    });
    const out = rewriteBodyUrls(
      body,
      new Map([
        ['/a/1.html', '/zwdt/1.html'],
        ['/uploads/a.jpg', '/media/x/original'],
      ]),
    );
    expect(out).toBe(
      `<p><img src="/media/x/original"><a href='http://old.gov.cn/u/b.PDF'>b</a><a href="/zwdt/1.html">x</a></p>`,
    );
  });
});

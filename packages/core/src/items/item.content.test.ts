import { describe, expect, it } from 'vitest';
import { contentHash, imagesWithoutAlt, normaliseContent, plainText, sanitizeBody } from './item.content.ts';

describe('sanitizeBody', () => {
  it.each([
    ['<p onclick="x()">hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['<p style="color:red">x</p>', '<p>x</p>'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<iframe src="https://evil"></iframe><p>ok</p>', '<p>ok</p>'],
    ['<img src="https://a/b.png" alt="图" onerror="x">', '<img src="https://a/b.png" alt="图" />'],
    ['<img src="data:image/png;base64,AAA" alt="x">', '<img alt="x" />'],
    ['<table><tr><td colspan="2">表</td></tr></table>', '<table><tr><td colspan="2">表</td></tr></table>'],
    [
      '<a href="https://x.cn" target="_blank">x</a>',
      '<a href="https://x.cn" target="_blank" rel="noopener noreferrer">x</a>',
    ],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeBody(input)).toBe(expected);
  });
});

describe('plainText', () => {
  it('keeps line structure and decodes entities', () => {
    expect(plainText('<h2>通知</h2><p>各乡镇&amp;部门：</p><p>请于&nbsp;3 日内报送。</p>')).toBe(
      '通知\n各乡镇&部门：\n请于 3 日内报送。',
    );
  });
});

describe('imagesWithoutAlt', () => {
  it('finds images without alt text', () => {
    expect(imagesWithoutAlt('<img src="a.png" alt="会场"><img src="b.png"><img src="c.png" alt=" ">')).toEqual([
      'b.png',
      'c.png',
    ]);
  });
});

describe('normaliseContent', () => {
  it('merges a patch: undefined keeps, null clears', () => {
    const first = normaliseContent(null, { title: '标题', summary: '摘要', body: '<p>正文</p>' });
    const next = normaliseContent(first, { summary: null, source: '县政府办' });
    expect(next).toMatchObject({ title: '标题', summary: null, body: '<p>正文</p>', source: '县政府办', keywords: [] });
  });
  it('hashes content stably', () => {
    const a = normaliseContent(null, { title: 'x', keywords: ['a'] });
    expect(contentHash(a)).toBe(contentHash(normaliseContent(null, { keywords: ['a'], title: 'x' })));
    expect(contentHash(a)).not.toBe(contentHash(normaliseContent(a, { title: 'y' })));
  });
});

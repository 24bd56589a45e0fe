import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import { ALLOWED_STYLES, allowedStyle, sanitizeBody } from './html-work.ts';

/** sanitize-html's own style filter (parseStyleAttributes with allowedStyles), on one element. */
function reference(tag: string, value: string): string | null {
  const escaped = value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out = sanitizeHtml(`<${tag} style="${escaped}">x</${tag}>`, {
    allowedTags: [tag],
    allowedAttributes: { [tag]: ['style'] },
    allowedStyles: ALLOWED_STYLES,
  });
  const m = / style="([^"]*)"/.exec(out);
  return m ? decodeHTML(m[1]!) : null;
}

const TAGS = ['p', 'div', 'td', 'th', 'table', 'col', 'colgroup', 'span', 'li', 'h2', 'caption', 'img', 'a'];
const PROPS = [
  'text-align',
  'text-indent',
  'font-weight',
  'width',
  'border',
  'border-top',
  'vertical-align',
  'border-collapse',
  'color',
  'font-family',
  'mso-bidi-font-size',
  'TEXT-ALIGN',
  'position',
  'behavior',
];
const VALUES = [
  'center',
  'right',
  '2em',
  '21.0pt',
  '24.0000pt',
  'bold',
  '700',
  '100%',
  '600px',
  '1px solid #000',
  'solid windowtext 1.0pt',
  'top',
  'collapse',
  'red',
  '仿宋',
  'expression(alert(1))',
  'url(javascript:x)',
  '\\65 xpression(x)',
  '/**/center',
  'center !important',
  'center\\0',
  '',
  '"quoted"',
];
const NOISE = ['', '', '', '}', '{', '/*', '*/', '<', '>', '"', ';;', ' !important', '\n', ':'];

// Seeded (no Math.random: a failure must be reproducible).
function styles(seed: number, n: number): { tag: string; value: string }[] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const pick = <T>(a: T[]) => a[Math.floor(next() * a.length)]!;
  return Array.from({ length: n }, () => {
    const decls = Array.from(
      { length: 1 + Math.floor(next() * 4) },
      () => `${pick(PROPS)}:${pick(VALUES)}${pick(NOISE)}`,
    );
    return { tag: pick(TAGS), value: decls.join(pick(['; ', ';', ' ; '])) };
  });
}

describe('style attributes', () => {
  it('are filtered as sanitize-html filters them, on hostile and ordinary values alike', () => {
    const cases = [
      { tag: 'p', value: 'text-align:center;}</style><script>alert(1)</script>' },
      { tag: 'p', value: 'text-indent:\\65 xpression(alert(1))' },
      { tag: 'td', value: 'border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt' },
      { tag: 'p', value: 'margin:0cm;text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt' },
      { tag: 'p', value: '' },
      { tag: 'table', value: 'border-collapse: collapse; width: 600px' },
      ...styles(42, 600),
    ];
    for (const { tag, value } of cases)
      expect(allowedStyle(tag, value), `${tag} {${value}}`).toBe(reference(tag, value));
  });

  it('are worked out once per value and tag, and the same answer is given each time', () => {
    const value = 'text-align: center; font-family: 仿宋_GB2312; mso-bidi-font-size: 16pt';
    expect(allowedStyle('p', value)).toBe('text-align:center');
    expect(allowedStyle('p', value)).toBe('text-align:center');
    expect(allowedStyle('span', value)).toBeNull();
    expect(sanitizeBody(`<p style="${value}">甲</p><p style="${value}">乙</p>`)).toBe(
      '<p style="text-align:center">甲</p><p style="text-align:center">乙</p>',
    );
  });
});

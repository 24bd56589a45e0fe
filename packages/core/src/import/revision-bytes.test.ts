import { describe, expect, it } from 'vitest';
import { canonicalContent, normaliseContent } from '../items/item.content.ts';
import { ByteArena } from './byte-arena.ts';
import { BODY_HERE, splicedContent } from './revision-bytes.ts';

describe('splicedContent', () => {
  const fields = {
    title: '关于印发《攀枝花市政府网站管理办法》的通知',
    summary: '摘要 "引号" \\ 反斜杠',
    keywords: ['政务', '公开'],
    attachments: [{ url: '/media/a/original', name: `${BODY_HERE}.pdf`, mediaType: 'application/pdf' }],
    docNumber: '攀府办发〔2015〕12号',
    slug: '123',
  };
  const bodies = [
    '<p style="text-indent:2em">正文\u2028第一段</p><p>"引号" \\ </p>',
    '',
    '<p>\u{1F600} 表情 </p>\n\t<table><tr><td>单元格</td></tr></table>',
  ];

  it.each(bodies)('gives the bytes and hash canonicalContent gives with the body itself (%#)', (body) => {
    const arena = new ByteArena(64);
    const held = normaliseContent(null, { ...fields, body: BODY_HERE }, BODY_HERE);
    const bytes = splicedContent(arena, held, Buffer.from(JSON.stringify(body), 'utf8'), 1);
    const whole = canonicalContent(normaliseContent(null, { ...fields, body }, body));
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1).toString('utf8')).toBe(whole.json);
  });

  it('refuses a content without the placeholder as its body', () => {
    const content = normaliseContent(null, { ...fields, body: '<p>x</p>' }, '<p>x</p>');
    expect(() => splicedContent(new ByteArena(), content, Buffer.from('"y"'))).toThrow(/no single place/);
  });
});

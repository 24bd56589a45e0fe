import { describe, expect, it } from 'vitest';
import { normaliseContent } from './item.content.ts';
import { findPersonalData, isValidIdNumber, prepublishProblems } from './prepublish.policy.ts';

describe('personal data', () => {
  it.each([
    ['11010519491231002X', true],
    ['110105194912310021', false], // wrong check digit
    ['11010519491231002x', true],
    ['01010519491231002X', false],
  ])('ID %s valid: %s', (id, valid) => expect(isValidIdNumber(id)).toBe(valid));

  it('finds standalone ID and mobile numbers only', () => {
    const found = findPersonalData(
      '联系人张三，身份证11010519491231002X，电话13812345678；文号 20240101123456789012 不是；座机 0812-3333333。',
    );
    expect(found).toEqual({ idNumbers: ['11010519491231002X'], mobiles: ['13812345678'] });
    expect(findPersonalData('编号 113812345678 与 138123456789')).toEqual({ idNumbers: [], mobiles: [] });
  });
});

describe('prepublishProblems', () => {
  const base = { kind: 'ARTICLE', columnStatus: 'OPEN', interpretedPolicies: 0 };
  const good = normaliseContent(null, { title: '标题', body: '<p>正文</p>', source: '县政府办' });
  it('passes a complete article', () => {
    expect(prepublishProblems({ ...base, content: good })).toEqual([]);
  });
  it.each([
    ['missing source', { ...base, content: normaliseContent(good, { source: null }) }, 'REQUIRED_FIELDS_MISSING'],
    ['policy without 文号', { ...base, kind: 'POLICY_DOCUMENT', content: good }, 'REQUIRED_FIELDS_MISSING'],
    [
      'interpretation without policy',
      { ...base, kind: 'INTERPRETATION', content: good },
      'INTERPRETATION_WITHOUT_POLICY',
    ],
    [
      'image without alt',
      { ...base, content: normaliseContent(good, { body: '<p><img src="https://x/a.png"></p>' }) },
      'IMAGE_ALT_MISSING',
    ],
    [
      'listed image without alt',
      { ...base, content: normaliseContent(good, { images: [{ url: 'https://x/a.png' }] }) },
      'IMAGE_ALT_MISSING',
    ],
    [
      'a mobile number',
      { ...base, content: normaliseContent(good, { body: '<p>电话 13812345678</p>' }) },
      'PERSONAL_DATA_FOUND',
    ],
    ['a closed column', { ...base, columnStatus: 'MERGED', content: good }, 'COLUMN_CLOSED'],
  ])('%s → %s', (_l, input, reason) => {
    expect(prepublishProblems(input).map((p) => p.reason)).toContain(reason);
  });
  it('accepts personal data confirmed with a reason, and masks what it reports', () => {
    const content = normaliseContent(good, { body: '<p>电话 13812345678</p>' });
    expect(prepublishProblems({ ...base, content, personalDataReason: '公示获奖人联系方式经本人同意' })).toEqual([]);
    expect(prepublishProblems({ ...base, content })[0]!.details).toEqual({ idNumbers: [], mobiles: ['138****5678'] });
  });
});

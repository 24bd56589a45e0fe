import { describe, expect, it } from 'vitest';
import {
  checkFileName,
  classifyUpload,
  parseRenditionName,
  quotaProblem,
  renditionPlan,
  servedContentType,
  servedInline,
} from './media.policy.ts';

const sniff = (detected: { mime: string; ext: string } | undefined, head = '', tail = '') => ({
  detected,
  head,
  tail,
  headIsUtf8: true,
});
const reason = (f: () => unknown) => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return (e as { reason: string }).reason;
  }
};

describe('classifyUpload', () => {
  it('accepts the allow-list when content and extension agree', () => {
    expect(classifyUpload(sniff({ mime: 'image/jpeg', ext: 'jpg' }), '照片.JPEG')).toEqual({
      mediaType: 'image/jpeg',
      kind: 'IMAGE',
      extension: 'jpeg',
    });
    expect(classifyUpload(sniff({ mime: 'application/x-cfb', ext: 'cfb' }), '通知.wps').kind).toBe('DOCUMENT');
    expect(
      classifyUpload(sniff({ mime: 'application/zip', ext: 'zip' }, 'PK\u0003\u0004....OFD.xml'), '公文.ofd').kind,
    ).toBe('DOCUMENT');
    expect(classifyUpload(sniff(undefined, '姓名,电话\n'), '名单.csv').mediaType).toBe('text/csv');
  });

  it('accepts Rich Text as .rtf and under .doc (older CMSs saved Word attachments so), nowhere else', () => {
    const rtf = sniff({ mime: 'application/rtf', ext: 'rtf' }, '{\\rtf1\\ansi\\ansicpg936 通知}');
    expect(classifyUpload(rtf, '附件1.doc')).toEqual({
      mediaType: 'application/rtf',
      kind: 'DOCUMENT',
      extension: 'doc',
    });
    expect(classifyUpload(rtf, '附件1.RTF').extension).toBe('rtf');
    expect(reason(() => classifyUpload(rtf, '附件1.docx'))).toBe('MEDIA_TYPE_MISMATCH');
    expect(reason(() => classifyUpload(rtf, '附件1.pdf'))).toBe('MEDIA_TYPE_MISMATCH');
    // Markup inside is a polyglot whatever the container.
    const html = sniff({ mime: 'application/rtf', ext: 'rtf' }, '{\\rtf1 <script>alert(1)</script>}');
    expect(reason(() => classifyUpload(html, '附件1.doc'))).toBe('MEDIA_POLYGLOT');
    expect(servedContentType('application/rtf', 'doc')).toBe('application/rtf');
    expect(servedInline('application/rtf')).toBe(false);
  });

  it('refuses by content: unlisted, disguised, markup in text, a ZIP that is not OFD, polyglots', () => {
    expect(reason(() => classifyUpload(sniff(undefined, '<svg/>'), 'a.svg'))).toBe('MEDIA_TYPE_NOT_ALLOWED');
    expect(reason(() => classifyUpload(sniff({ mime: 'application/x-msdownload', ext: 'exe' }), 'a.pdf'))).toBe(
      'MEDIA_TYPE_MISMATCH',
    );
    expect(reason(() => classifyUpload(sniff({ mime: 'image/png', ext: 'png' }), 'a.jpg'))).toBe('MEDIA_TYPE_MISMATCH');
    expect(reason(() => classifyUpload(sniff(undefined, '<script>x</script>'), 'a.txt'))).toBe('MEDIA_TYPE_MISMATCH');
    expect(reason(() => classifyUpload(sniff(undefined, '\u0000\u0001binary'), 'a.txt'))).toBe('MEDIA_TYPE_MISMATCH');
    expect(reason(() => classifyUpload(sniff({ mime: 'application/zip', ext: 'zip' }, 'PK'), 'a.ofd'))).toBe(
      'MEDIA_TYPE_MISMATCH',
    );
    expect(reason(() => classifyUpload(sniff({ mime: 'image/gif', ext: 'gif' }, 'GIF89a', '<html>'), 'a.gif'))).toBe(
      'MEDIA_POLYGLOT',
    );
    expect(
      reason(() => classifyUpload(sniff({ mime: 'application/pdf', ext: 'pdf' }, '%PDF', 'PK\u0005\u0006'), 'a.pdf')),
    ).toBe('MEDIA_POLYGLOT');
  });
});

describe('file names', () => {
  it('keeps plain names (Chinese included) and refuses paths and hidden names', () => {
    expect(checkFileName(' 米易县2026年工作要点.pdf ')).toBe('米易县2026年工作要点.pdf');
    for (const bad of ['../a.pdf', 'a/b.pdf', 'a\\b.pdf', '.htaccess', '', 'a\u0000.pdf', 'x'.repeat(201)])
      expect(reason(() => checkFileName(bad))).toBe('MEDIA_NAME_INVALID');
  });
});

describe('renditions and quota', () => {
  it('plans widths up to the image, formats by alpha and animation', () => {
    expect(renditionPlan({ width: 700, animated: false, hasAlpha: false })).toEqual([
      'w320.webp',
      'w320.avif',
      'w320.jpg',
      'w640.webp',
      'w640.avif',
      'w640.jpg',
    ]);
    expect(renditionPlan({ width: 100, animated: true, hasAlpha: true })).toEqual(['w320.webp', 'w320.gif']);
    expect(parseRenditionName('w640.avif')).toEqual({ width: 640, format: 'avif' });
    expect(parseRenditionName('w641.avif')).toBeNull();
    expect(parseRenditionName('../original')).toBeNull();
  });
  it('names the quota problem with the numbers', () => {
    expect(quotaProblem(90, 10, 100)).toBeNull();
    expect(quotaProblem(90, 11, 100)?.details).toEqual({ usedBytes: 90, addBytes: 11, quotaBytes: 100 });
  });
});

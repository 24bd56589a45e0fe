import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decode,
  decodeLegacyUrl,
  decodeStream,
  detectEncoding,
  isPlausibleGbk,
  repairLatin1Mojibake,
} from './encoding.ts';

const gbk = (s: string) => new Uint8Array(iconv.encode(s, 'gbk'));
const utf8 = (s: string) => new TextEncoder().encode(s);
const html = (charset: string, body: string) =>
  `<html><head><meta http-equiv="Content-Type" content="text/html; charset=${charset}"></head><body>${body}</body></html>`;

describe('detectEncoding', () => {
  it('follows a BOM before anything else', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...gbk('<meta charset="gbk">')]);
    expect(detectEncoding(bytes, 'html')).toEqual({ encoding: 'utf-8', how: 'bom' });
  });
  it('follows a gb2312 declaration when the bytes are GBK', () => {
    const bytes = gbk(html('gb2312', '攀枝花市人民政府关于印发《通知》的通知'));
    expect(detectEncoding(bytes, 'html')).toEqual({ encoding: 'gb18030', how: 'declared' });
    expect(decode(bytes, 'gb18030')).toContain('攀枝花市人民政府');
  });
  it('trusts the bytes over a declaration they contradict', () => {
    expect(detectEncoding(utf8(html('gb2312', '米易县人民政府')), 'html').encoding).toBe('utf-8');
    expect(detectEncoding(gbk("SET NAMES utf8;\nINSERT INTO t VALUES ('米易县');"), 'sql')).toEqual({
      encoding: 'gb18030',
      how: 'gb18030',
    });
  });
  it('reads SET NAMES and DEFAULT CHARSET in SQL dumps', () => {
    expect(detectEncoding(gbk("/*!40101 SET NAMES gbk */;\nINSERT INTO t VALUES ('政务公开');"), 'sql').how).toBe(
      'declared',
    );
    expect(detectEncoding(utf8(') ENGINE=MyISAM DEFAULT CHARSET=utf8mb4;'), 'sql')).toEqual({
      encoding: 'utf-8',
      how: 'declared',
    });
  });
  it('falls back to GB18030 for undeclared non-UTF-8 bytes, and UTF-8 when valid', () => {
    expect(detectEncoding(gbk('通知公告 政策解读'), 'text')).toEqual({ encoding: 'gb18030', how: 'gb18030' });
    expect(detectEncoding(utf8('通知公告 政策解读'), 'text')).toEqual({ encoding: 'utf-8', how: 'utf8-valid' });
  });
  it('does not call UTF-8 invalid when the sample cuts a character in two', () => {
    const bytes = utf8('政务公开');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1), 'text').encoding).toBe('utf-8');
  });
});

describe('repairs and URLs', () => {
  it('repairs GBK stored as Latin-1, and leaves real Latin-1 text alone', () => {
    const broken = Buffer.from(iconv.encode('攀枝花市政府', 'gbk')).toString('latin1');
    expect(repairLatin1Mojibake(`标题：${broken}`)).toEqual({ text: '标题：攀枝花市政府', repaired: true });
    expect(repairLatin1Mojibake('Café Müller')).toEqual({ text: 'Café Müller', repaired: false });
  });
  it('decodes GBK percent-encoded legacy URLs', () => {
    expect(decodeLegacyUrl('/uploads/%D6%D0%CE%C4.doc')).toBe('/uploads/中文.doc');
    expect(decodeLegacyUrl('/uploads/%E4%B8%AD%E6%96%87.doc')).toBe('/uploads/中文.doc');
    // GBK bytes that also happen to be valid UTF-8 (U+0368 U+05AA): the Chinese reading wins.
    expect(decodeLegacyUrl('/zwgk/%CD%A8%D6%AA.html')).toBe('/zwgk/通知.html');
    expect(decodeLegacyUrl('/a%20b/caf%C3%A9.html')).toBe('/a b/café.html');
  });
  it('knows well-formed GBK from random high bytes', () => {
    expect(isPlausibleGbk(gbk('政务公开'))).toBe(true);
    expect(isPlausibleGbk(new Uint8Array([0xd6, 0x20, 0xff]))).toBe(false);
  });
});

describe('decodeStream', () => {
  /** Every chunk boundary one byte apart: each multi-byte character is split somewhere. */
  const streamed = async (bytes: Uint8Array, encoding: string, size: number) => {
    const d = decodeStream(encoding);
    const parts: string[] = [];
    d.on('data', (s: string) => parts.push(s));
    const ended = new Promise((r) => d.on('end', r));
    for (let i = 0; i < bytes.length; i += size) d.write(Buffer.from(bytes.subarray(i, i + size)));
    d.end();
    await ended;
    return parts.join('');
  };
  const text = '关于印发《米易县政务公开工作要点》的通知 — 〔2026〕1号';

  it('decodes UTF-8 and GBK split anywhere between chunks, as the whole would decode', async () => {
    for (const size of [1, 2, 5, 7]) {
      expect(await streamed(utf8(text), 'utf-8', size)).toBe(text);
      expect(await streamed(gbk(text), 'gbk', size)).toBe(text);
      expect(await streamed(gbk(text), 'gb18030', size)).toBe(text);
    }
  });

  it('strips a byte-order mark and keeps an invalid byte as U+FFFD', async () => {
    expect(await streamed(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('政务')]), 'utf-8', 2)).toBe('政务');
    expect(await streamed(new Uint8Array([...utf8('政'), 0xff, ...utf8('务')]), 'utf-8', 3)).toBe('政\ufffd务');
  });

  it('falls back to iconv-lite for an encoding Node has no decoder for', async () => {
    expect(await streamed(new Uint8Array(iconv.encode('政务公开', 'cp936')), 'cp936', 3)).toBe('政务公开');
  });
});

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processMedia } from '@zhanqun/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../helpers.ts';
import { adminQuery, pdfWith, photoWithGps, upload } from './fixtures.ts';

let t: TestApp;
let dir: string;
let editor: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-media-test-'));
  t = await startTestApp({
    env: {
      MEDIA_DIR: join(dir, 'store'),
      MEDIA_TMP_DIR: join(dir, 'tmp'),
      MEDIA_MAX_BYTES: String(2 * 1024 * 1024),
      MEDIA_MAX_PIXELS: String(4_000_000),
      MEDIA_QUOTA_OVERRIDES: 'edu=3000000',
    },
  });
  editor = await t.tokenFor(demo.editor('miyi'));
}, 180_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const storedFiles = () => readdirSync(join(dir, 'store'), { recursive: true }).filter((f) => !String(f).endsWith('/'));
const rows = async () => (await adminQuery<{ n: string }>(t, 'select count(*) as n from media'))[0]!.n;

describe('POST /media', () => {
  it('stores a photo without its EXIF/GPS, oriented, with dimensions and a placeholder; same bytes stored once', async () => {
    const bytes = await photoWithGps(800, 600);
    expect((await sharp(bytes).metadata()).exif).toBeDefined();
    const r = await upload(t, editor, { site: 'miyi', alt: '活动现场' }, { name: '现场照片.jpg', bytes });
    expect(r.status).toBe(201);
    const m = r.body.media!;
    expect(m).toMatchObject({ kind: 'IMAGE', mediaType: 'image/jpeg', originalName: '现场照片.jpg', alt: '活动现场' });
    // Orientation 6 (rotate 90°) applied before the metadata went: 800×600 becomes 600×800.
    expect([m.width, m.height]).toEqual([600, 800]);
    expect(m.placeholder).toMatch(/^[A-Za-z0-9+/=]{10,}$/);
    const served = await t.app.inject({ url: m.url, headers: { authorization: `Bearer ${editor}` } });
    expect(served.statusCode).toBe(200);
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.width).toBe(600);
    const again = await upload(t, editor, { site: 'miyi' }, { name: 'copy.jpg', bytes });
    expect(again.body.media!.id).toBe(m.id);
  });

  it('judges by content: disguised, unlisted and markup files are refused with 415 and leave nothing behind', async () => {
    const before = [await rows(), storedFiles().length];
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]);
    const cases: [string, Buffer, number, string][] = [
      ['report.pdf', exe, 415, 'MEDIA_TYPE_MISMATCH'],
      ['tool.exe', exe, 415, 'MEDIA_TYPE_NOT_ALLOWED'],
      ['page.html', Buffer.from('<html><script>alert(1)</script></html>'), 415, 'MEDIA_TYPE_NOT_ALLOWED'],
      ['logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 415, 'MEDIA_TYPE_NOT_ALLOWED'],
      ['notes.txt', Buffer.from('<html><body onload="x()">'), 415, 'MEDIA_TYPE_MISMATCH'],
      ['photo.png', await photoWithGps(64, 64), 415, 'MEDIA_TYPE_MISMATCH'],
      ['../../etc/passwd.pdf', pdfWith('x'), 400, 'MEDIA_NAME_INVALID'],
    ];
    for (const [name, bytes, status, reason] of cases) {
      const r = await upload(t, editor, { site: 'miyi' }, { name, bytes });
      expect([name, r.status, r.body.error?.reason]).toEqual([name, status, reason]);
    }
    expect([await rows(), storedFiles().length]).toEqual(before);
  });

  it('refuses polyglots, truncated images and decompression bombs', async () => {
    const jpeg = await photoWithGps(64, 64);
    const withHtml = Buffer.concat([jpeg, Buffer.from('<script>alert(document.cookie)</script>')]);
    const withZip = Buffer.concat([jpeg, Buffer.from('PK\u0005\u0006'), Buffer.alloc(18)]);
    const truncated = (await photoWithGps(400, 300)).subarray(0, 4000);
    const bomb = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: 'white' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const cases: [string, Buffer, number, string][] = [
      ['a.jpg', withHtml, 415, 'MEDIA_POLYGLOT'],
      ['b.jpg', withZip, 415, 'MEDIA_POLYGLOT'],
      ['c.jpg', truncated, 400, 'MEDIA_IMAGE_INVALID'],
      ['d.png', bomb, 413, 'MEDIA_TOO_MANY_PIXELS'],
    ];
    for (const [name, bytes, status, reason] of cases) {
      const r = await upload(t, editor, { site: 'miyi' }, { name, bytes });
      expect([name, r.status, r.body.error?.reason]).toEqual([name, status, reason]);
    }
  });

  it('cuts off an upload above MEDIA_MAX_BYTES with 413, and enforces the site quota', async () => {
    const big = Buffer.concat([pdfWith('big'), Buffer.alloc(3 * 1024 * 1024, 32)]);
    const r = await upload(t, editor, { site: 'miyi' }, { name: 'big.pdf', bytes: big });
    expect([r.status, r.body.error?.reason]).toEqual([413, 'MEDIA_TOO_LARGE']);
    const eduEditor = await t.tokenFor(demo.editor('edu'));
    const pdf = (n: number) => Buffer.concat([pdfWith(`q${n}`), Buffer.alloc(1_200_000, 32 + n)]);
    expect((await upload(t, eduEditor, { site: 'edu' }, { name: '1.pdf', bytes: pdf(1) })).status).toBe(201);
    expect((await upload(t, eduEditor, { site: 'edu' }, { name: '2.pdf', bytes: pdf(2) })).status).toBe(201);
    const over = await upload(t, eduEditor, { site: 'edu' }, { name: '3.pdf', bytes: pdf(3) });
    expect([over.status, over.body.error?.reason]).toEqual([413, 'MEDIA_QUOTA_EXCEEDED']);
  });

  it('needs credentials for the site: anonymous 401, another site’s editor NOT_FOUND', async () => {
    const pdf = { name: 'a.pdf', bytes: pdfWith('auth') };
    expect((await upload(t, null, { site: 'miyi' }, pdf)).status).toBe(401);
    const other = await upload(t, await t.tokenFor(demo.editor('edu')), { site: 'miyi' }, pdf);
    expect([other.status, other.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('serves with nosniff, a Chinese filename*, strong ETag + 304 and byte ranges; drafts need credentials', async () => {
    const r = await upload(t, editor, { site: 'miyi' }, { name: '米易县通知.pdf', bytes: pdfWith('Range test') });
    const url = r.body.media!.url as string;
    const auth = { authorization: `Bearer ${editor}` };
    const full = await t.app.inject({ url, headers: auth });
    expect(full.headers['content-type']).toBe('application/pdf');
    expect(full.headers['x-content-type-options']).toBe('nosniff');
    expect(full.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('米易县通知.pdf')}`);
    expect(full.headers.etag).toBe(`"${r.body.media!.sha256}"`);
    expect(full.headers['cache-control']).toBe('private, no-store');
    const notModified = await t.app.inject({ url, headers: { ...auth, 'if-none-match': full.headers.etag as string } });
    expect(notModified.statusCode).toBe(304);
    const part = await t.app.inject({ url, headers: { ...auth, range: 'bytes=0-7' } });
    expect(part.statusCode).toBe(206);
    expect(part.payload).toBe('%PDF-1.4');
    expect(part.headers['content-range']).toBe(`bytes 0-7/${full.rawPayload.length}`);
    expect((await t.app.inject({ url })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ url, headers: { authorization: `Bearer ${await t.tokenFor(demo.editor('edu'))}` } }))
        .statusCode,
    ).toBe(404);
  });

  it('makes renditions (WebP, AVIF, JPEG) without metadata in the worker job, and on demand', {
    timeout: 120_000,
  }, async () => {
    const r = await upload(
      t,
      editor,
      { site: 'miyi', alt: '图' },
      { name: 'wide.jpg', bytes: await photoWithGps(1000, 700) },
    );
    const id = r.body.media!.id as string;
    const auth = { authorization: `Bearer ${editor}` };
    const onDemand = await t.app.inject({ url: `/media/${id}/w320.avif`, headers: auth });
    expect(onDemand.statusCode).toBe(200);
    expect(onDemand.headers['content-type']).toBe('image/avif');
    expect((await sharp(onDemand.rawPayload).metadata()).width).toBe(320);
    const done = await processMedia(t.platform.systemCtx('test:media'), id);
    // 700 px wide once oriented: 320 and 640, × webp/avif/jpg, minus the one made on demand.
    expect(done.renditions).toBe(5);
    const webp = await t.app.inject({ url: `/media/${id}/w640.webp`, headers: auth });
    const meta = await sharp(webp.rawPayload).metadata();
    expect([meta.format, meta.width, meta.exif]).toEqual(['webp', 640, undefined]);
    expect((await t.app.inject({ url: `/media/${id}/w1280.webp`, headers: auth })).statusCode).toBe(404);
  });
});

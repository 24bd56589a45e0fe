/**
 * Issue 8, images (sharp): CMYK and 16-bit inputs are stored converted to 8-bit sRGB, an animated GIF stays
 * animated (original and renditions), and a replaced file is a new version — the old one kept for the versions
 * that pinned it, the replacement audited.
 */
import { processMedia } from '@zhanqun/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../helpers.ts';
import { upload } from './fixtures.ts';

let t: TestApp;
let editor: string;

beforeAll(async () => {
  t = await startTestApp();
  editor = await t.tokenFor(demo.editor('miyi'));
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const served = async (url: string) => {
  const r = await t.app.inject({ url, headers: { authorization: `Bearer ${editor}` } });
  expect([url, r.statusCode]).toEqual([url, 200]);
  return r.rawPayload;
};

/** A noisy picture (so it is not trivially compressible) as raw RGB. */
function picture(width: number, height: number): ReturnType<typeof sharp> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

describe('image conversions', () => {
  it('stores a CMYK JPEG as sRGB', async () => {
    const cmyk = await picture(400, 300).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const r = await upload(t, editor, { site: 'miyi' }, { name: 'print.jpg', bytes: cmyk });
    expect(r.status).toBe(201);
    const meta = await sharp(await served(r.body.media!.url)).metadata();
    expect([meta.space, meta.channels]).toEqual(['srgb', 3]);
  });

  it('stores a 16-bit PNG as 8-bit', async () => {
    const deep = await picture(400, 300).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const r = await upload(t, editor, { site: 'miyi' }, { name: 'scan.png', bytes: deep });
    expect(r.status).toBe(201);
    const meta = await sharp(await served(r.body.media!.url)).metadata();
    expect(meta.depth).toBe('uchar');
  });

  it('keeps an animated GIF animated, in the original and in its renditions', async () => {
    const frames = await Promise.all(
      ['#c00', '#0c0', '#00c'].map((c) =>
        sharp({ create: { width: 360, height: 200, channels: 3, background: c } })
          .raw()
          .toBuffer(),
      ),
    );
    const gif = await sharp(Buffer.concat(frames), { raw: { width: 360, height: 600, channels: 3, pageHeight: 200 } })
      .gif({ delay: [200, 200, 200], loop: 0 })
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const r = await upload(t, editor, { site: 'miyi' }, { name: '动图.gif', bytes: gif });
    expect(r.status).toBe(201);
    const m = r.body.media!;
    expect(m).toMatchObject({ animated: true, width: 360, height: 200 });
    expect((await sharp(await served(m.url), { animated: true }).metadata()).pages).toBe(3);
    await processMedia(t.platform.systemCtx('test:worker'), m.id);
    for (const v of ['w320.webp', 'w320.gif']) {
      const meta = await sharp(await served(`/media/${m.id}/${v}`), { animated: true }).metadata();
      expect([v, meta.pages]).toEqual([v, 3]);
    }
  });
});

describe('replacing a file', () => {
  it('makes a new version; the old one stays; the replacement is audited', async () => {
    const first = await upload(
      t,
      editor,
      { site: 'miyi', title: '通知' },
      { name: 'a.png', bytes: await picture(320, 200).png().toBuffer() },
    );
    const second = await upload(
      t,
      editor,
      { site: 'miyi', replaces: first.body.media!.id },
      { name: 'a.png', bytes: await picture(320, 201).png().toBuffer() },
    );
    expect(second.status).toBe(201);
    const [a, b] = [first.body.media!, second.body.media!];
    expect(b.id).not.toBe(a.id);
    expect(b.sha256).not.toBe(a.sha256);
    expect(b.replaces).toBe(a.id);
    // The old bytes are still there for whatever pinned them.
    expect((await served(a.url)).length).toBeGreaterThan(0);
    const admin = await t.tokenFor(demo.admin('miyi'));
    const log = await t.gql(
      '{ auditLog(site: "miyi", action: "media.replace", first: 1) { edges { node { targetId changes } } } }',
      {},
      admin,
    );
    expect(log.data!.auditLog.edges[0].node).toMatchObject({ targetId: b.id, changes: { replaces: a.id } });
  });
});

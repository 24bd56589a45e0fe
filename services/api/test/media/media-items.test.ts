import { processMedia } from '@zhanqun/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, publishItem, reasonOf, startTestApp, type TestApp } from '../helpers.ts';
import { pdfWith, photoWithGps, upload } from './fixtures.ts';

/** The done-means walk-through of issue 8, on the demo city: 米易县 (miyi) and 教育局 (edu). */
let t: TestApp;
let editor: string;
let photoId: string;
let pdfId: string;

beforeAll(async () => {
  t = await startTestApp({ search: true });
  editor = await t.tokenFor(demo.editor('miyi'));
  const photo = await upload(
    t,
    editor,
    { site: 'miyi' },
    { name: 'IMG_0001.jpg', bytes: await photoWithGps(1400, 900) },
  );
  photoId = photo.body.media!.id;
  const pdf = await upload(
    t,
    editor,
    { site: 'miyi', title: '米易县2026年工作要点' },
    {
      name: '米易县2026年工作要点.pdf',
      bytes: pdfWith('Annual plan mentions Xiaoshuiku reservoir'),
    },
  );
  pdfId = pdf.body.media!.id;
  // What the worker does soon after upload: renditions of the photo, text of the PDF.
  for (const id of [photoId, pdfId]) await processMedia(t.platform.systemCtx('test:worker'), id);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('media in items', () => {
  it('refuses, at level 3, an uploaded image without alt text', async () => {
    const r = await t.gql(
      'mutation($m: ID!) { createItem(input: { site: "miyi", column: "/zwdt/yw", kind: "ARTICLE", title: "无替代文本", source: "x", body: "<p>x</p>", images: [{ mediaId: $m }] }) { id images { url alt sha256 } } }',
      { m: photoId },
      editor,
    );
    expect(r.data!.createItem.images[0]).toMatchObject({ url: `/media/${photoId}/original`, alt: null });
    const id = r.data!.createItem.id;
    await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id }, editor);
    for (const who of [demo.editor('miyi'), demo.reviewer('miyi')])
      await t.gql('mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id }, await t.tokenFor(who));
    const last = await t.gql(
      'mutation($id: ID!) { signOff(input: { id: $id }) { state } }',
      { id },
      await t.tokenFor(demo.approver('miyi')),
    );
    expect(reasonOf(last)).toBe('IMAGE_ALT_MISSING');
  });

  it('publishes a news item with the photo and the PDF; the public gets clean renditions, the PDF, and search', async () => {
    const id = await publishItem(t, 'miyi', {
      column: '/zwdt/yw',
      title: '米易县召开2026年工作会议',
      body: '<p>会议部署全年工作。</p>',
      images: [{ mediaId: photoId, alt: '会议现场' }],
      attachments: [{ mediaId: pdfId }],
    });
    const item = await t.gql(`{ item(id: "${id}") { state attachments { url name sha256 } images { url alt } } }`);
    expect(item.data!.item.state).toBe('PUBLISHED');
    expect(item.data!.item.attachments[0]).toMatchObject({
      url: `/media/${pdfId}/original`,
      name: '米易县2026年工作要点',
    });
    // Anonymous, on the site's own host: public, immutable, no EXIF/GPS anywhere.
    const host = { host: 'www.miyi.gov.cn' };
    for (const v of ['original', 'w640.webp', 'w640.avif', 'w320.jpg']) {
      const r = await t.app.inject({ url: `/media/${photoId}/${v}`, headers: host });
      expect([v, r.statusCode]).toEqual([v, 200]);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const meta = await sharp(r.rawPayload).metadata();
      expect([v, meta.exif, meta.xmp]).toEqual([v, undefined, undefined]);
    }
    const pdf = await t.app.inject({ url: `/media/${pdfId}/original`, headers: host });
    expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    // Another site's host does not serve miyi's files.
    expect(
      (await t.app.inject({ url: `/media/${pdfId}/original`, headers: { host: 'edu.localhost' } })).statusCode,
    ).toBe(404);
    // A word found only inside the PDF finds the item.
    await t.syncSearch();
    const found = await t.gql('{ search(site: "miyi", query: "Xiaoshuiku") { edges { node { id } } } }');
    expect(found.data!.search.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
  });

  it('keeps files a published version uses; deletes unused ones (audited)', async () => {
    const del = await t.gql('mutation($id: ID!) { deleteMedia(id: $id) { id } }', { id: pdfId }, editor);
    expect(reasonOf(del)).toBe('MEDIA_IN_USE');
    const spare = await upload(t, editor, { site: 'miyi' }, { name: 'spare.pdf', bytes: pdfWith('spare') });
    const ok = await t.gql(
      'mutation($id: ID!) { deleteMedia(id: $id, reason: "wrong file") { id } }',
      {
        id: spare.body.media!.id,
      },
      editor,
    );
    expect(codeOf(ok)).toBe('OK');
    const log = await t.gql(
      '{ auditLog(site: "miyi", first: 50) { edges { node { action } } } }',
      {},
      await t.tokenFor(demo.admin('miyi')),
    );
    const actions = log.data!.auditLog.edges.map((e: { node: { action: string } }) => e.node.action);
    expect(actions).toEqual(expect.arrayContaining(['media.upload', 'media.delete']));
  });

  it('lists the library with where-used, and gives members a signed preview URL', async () => {
    const r = await t.gql(
      '{ mediaLibrary(site: "miyi", filter: { kind: DOCUMENT }) { edges { node { id originalName textStatus previewUrl usedBy { title published } } } } }',
      {},
      editor,
    );
    const pdf = r.data!.mediaLibrary.edges.find((e: { node: { id: string } }) => e.node.id === pdfId).node;
    expect(pdf).toMatchObject({ originalName: '米易县2026年工作要点.pdf', textStatus: 'DONE' });
    expect(pdf.usedBy).toEqual([{ title: '米易县召开2026年工作会议', published: true }]);
    const draft = await upload(t, editor, { site: 'miyi' }, { name: 'draft.pdf', bytes: pdfWith('draft only') });
    const m = await t.gql(`{ media(id: "${draft.body.media!.id}") { previewUrl } }`, {}, editor);
    const signed = m.data!.media.previewUrl as string;
    expect((await t.app.inject({ url: signed })).statusCode).toBe(200);
    expect((await t.app.inject({ url: signed.replace(/sig=./, 'sig=A') })).statusCode).toBe(404);
    expect((await t.app.inject({ url: signed.split('?')[0]! })).statusCode).toBe(404);
    const edu = await t.gql(
      `{ media(id: "${draft.body.media!.id}") { id } }`,
      {},
      await t.tokenFor(demo.editor('edu')),
    );
    expect(codeOf(edu)).toBe('NOT_FOUND');
  });
});

/**
 * Issue 7, part A: what an item's content may hold. Only http(s) (or platform media) URLs in images,
 * attachments and the body; bounded nesting refused before any recursive work; heavy HTML work off the event
 * loop, so /health keeps answering while a large body is processed.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadMedia } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';
import { pdfWith } from './media/fixtures.ts';

let t: TestApp;
let editor = '';
/** A real file of miyi: a platform media reference must name an existing file of the item's site (issue 8). */
let mediaRef = '';
const createItem = (input: Record<string, unknown>) =>
  t.gql(
    'mutation($i: CreateItemInput!) { createItem(input: $i) { id body images { url } attachments { url } } }',
    { i: { site: 'miyi', column: '/zwdt/yw', kind: 'ARTICLE', title: '输入检查', ...input } },
    editor,
  );

beforeAll(async () => {
  t = await startTestApp();
  editor = await t.tokenFor(demo.editor('miyi'));
  const bytes = pdfWith('content input');
  const path = join(tmpdir(), `zq-content-input-${process.pid}.pdf`);
  writeFileSync(path, bytes);
  const m = await uploadMedia(
    t.platform.systemCtx('test:content-input'),
    { site: 'miyi' },
    { path, name: 'a.pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  );
  mediaRef = `media:${m.id}`;
});
afterAll(async () => {
  await t?.close();
});

describe('URLs in images and attachments', () => {
  it.each([
    ['images.0.url', { images: [{ url: 'javascript:alert(1)', alt: '图' }] }],
    ['images.0.url', { images: [{ url: 'data:image/png;base64,iVBORw0KGgo=', alt: '图' }] }],
    ['attachments.0.url', { attachments: [{ url: 'data:text/html,<script>alert(1)</script>', name: '附件' }] }],
    ['attachments.0.url', { attachments: [{ url: ' JavaScript:alert(1)', name: '附件' }] }],
    ['attachments.0.url', { attachments: [{ url: '//evil.example/x.pdf', name: '附件' }] }],
  ])('refuses %s %j', async (field, over) => {
    const r = await createItem(over);
    expect([codeOf(r), r.errors![0]!.extensions.field, r.status]).toEqual(['BAD_USER_INPUT', field, 400]);
  });

  it('accepts http(s) URLs and platform media references', async () => {
    const media = mediaRef;
    const r = await createItem({
      images: [{ url: 'https://img.miyi.gov.cn/a.jpg', alt: '会场' }],
      attachments: [
        { url: 'http://www.miyi.gov.cn/files/a.pdf', name: '附件一' },
        { url: media, name: '附件二' },
      ],
    });
    expect(r.data!.createItem.attachments.map((a: { url: string }) => a.url)).toEqual([
      'http://www.miyi.gov.cn/files/a.pdf',
      media,
    ]);
  });
});

describe('links and sources in the body', () => {
  it.each([
    '<p><a href="javascript:alert(1)">点我</a></p>',
    '<p><a href="jav&#x09;ascript:alert(1)">点我</a></p>',
    '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="图"></p>',
    '<p><a href="vbscript:msgbox(1)">点我</a></p>',
  ])('refuses %s', async (body) => {
    const r = await createItem({ body });
    expect([codeOf(r), reasonOf(r), r.errors![0]!.extensions.field]).toEqual(['BAD_USER_INPUT', 'UNSAFE_URL', 'body']);
  });

  it('keeps http(s), mailto, tel, media and site-relative links', async () => {
    const body =
      '<p><a href="https://www.gov.cn/">中国政府网</a> <a href="mailto:bgs@miyi.gov.cn">邮件</a> ' +
      '<a href="tel:0812-8171111">电话</a> <a href="/zwgk/">公开</a></p>' +
      `<p><img src="${mediaRef}" alt="图"></p>`;
    const r = await createItem({ body });
    expect(r.data!.createItem.body).toBe(body.replace('alt="图">', 'alt="图" />'));
  });
});

describe('bounded bodies', () => {
  const nested = (n: number) => `${'<div>'.repeat(n)}深${'</div>'.repeat(n)}`;
  // Unclosed, so that 100,000 levels fit in a request (the edge takes at most 1 MiB).
  const open = (n: number) => `${'<div>'.repeat(n)}深`;

  it('refuses 4,000 nested elements with a clear 400 instead of a stack overflow', async () => {
    const r = await createItem({ body: nested(4_000) });
    expect([r.status, codeOf(r), reasonOf(r), r.errors![0]!.extensions.field]).toEqual([
      400,
      'BAD_USER_INPUT',
      'BODY_TOO_DEEP',
      'body',
    ]);
  });

  it('refuses 100,000 nested elements with a 400', async () => {
    const r = await createItem({ body: open(100_000) });
    expect([r.status, reasonOf(r)]).toEqual([400, 'BODY_TOO_DEEP']);
  });

  it('accepts 100 levels', async () => {
    const r = await createItem({ body: nested(100) });
    expect(codeOf(r)).toBe('OK');
  });

  it('keeps /health answering while a large legal body is processed off the event loop', async () => {
    // ~900 kB of ordinary paragraphs with links in a table: legal, and heavy to sanitise.
    const para = '<p>Miyi county <a href="https://www.miyi.gov.cn/">open government</a> <strong>news</strong></p>';
    const body = `<table><tr><td>${para.repeat(Math.floor(900_000 / para.length))}</td></tr></table>`;
    const pool = t.platform.html;
    let started = false;
    let finished = false;
    const original = pool.prepare.bind(pool);
    pool.prepare = (html: string) => {
      started = true;
      return original(html).finally(() => {
        finished = true;
      });
    };
    try {
      const created = createItem({ body });
      for (let i = 0; i < 100_000 && !started; i++) await new Promise((r) => setImmediate(r));
      expect(started).toBe(true);
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      // The health check was answered while the body was still being worked on.
      expect(health.statusCode).toBe(200);
      expect(finished).toBe(false);
      const r = await created;
      expect(codeOf(r)).toBe('OK');
      expect(finished).toBe(true);
    } finally {
      pool.prepare = original;
    }
  });
});

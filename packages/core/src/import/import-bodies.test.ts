import { describe, expect, it } from 'vitest';
import { prepareBody } from '../items/html-work.ts';
import { importBodiesTask, prepareImportBodies } from './import-bodies.ts';

describe('prepareImportBodies', () => {
  it('gives each body back as its sanitised JSON string and plain text in UTF-8, refusals in their place', () => {
    const bodies = [
      { html: '<p style="text-indent:2em;mso-font:x">通知<script>x()</script></p>', rewrites: [] },
      { html: '<a href="javascript:alert(1)">x</a>', rewrites: [] },
      {
        html: `<p>${'长文'.repeat(60_000)}</p><a href='/a/2.html'>下一篇</a>`,
        rewrites: ['/a/2.html', '/zwdt/2.html'],
      },
      { html: '', rewrites: [] },
      { html: '<p>\u{1F600} "引号" \\</p>', rewrites: [] },
    ];
    const task = importBodiesTask(bodies.map((b) => ({ html: Buffer.from(b.html, 'utf8'), rewrites: b.rewrites })));
    expect(task.bytes.byteOffset).toBe(0);
    expect(task.bytes.buffer.byteLength).toBe(task.bytes.length);
    const done = prepareImportBodies(task);
    const bytes = Buffer.from(done.bytes);
    expect(done.ends).toHaveLength(2 * bodies.length);
    expect(done.outcomes[1]).toMatchObject({ problem: { reason: 'UNSAFE_URL' } });
    for (const i of [0, 2, 3, 4]) {
      const html = i === 2 ? bodies[2]!.html.replace("href='/a/2.html'", 'href="/zwdt/2.html"') : bodies[i]!.html;
      const expected = prepareBody(html);
      const start = i ? done.ends[2 * i - 1]! : 0;
      expect(bytes.toString('utf8', start, done.ends[2 * i])).toBe(JSON.stringify(expected.body));
      expect(bytes.toString('utf8', done.ends[2 * i], done.ends[2 * i + 1])).toBe(expected.text);
      expect(done.outcomes[i]).toEqual({ linksMedia: false });
    }
    // The refused body takes no bytes.
    expect(done.ends[2]).toBe(done.ends[1]);
    expect(done.ends[3]).toBe(done.ends[1]);
  });
});

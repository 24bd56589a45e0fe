import { type Ctx, prepareImportedBodies } from '@zhanqun/core';
import { describe, expect, it } from 'vitest';
import { htmlWorkPool } from './html-pool.ts';

// The pool's thread runs the core's HTML work from modules stripped by the main thread (html-worker-entry.mjs,
// ADR 0032): the result must be the sanitiser's, problems included.
describe('htmlWorkPool', () => {
  it('sanitises a body on its thread and reports an unsafe link', async () => {
    const pool = htmlWorkPool({ threads: 1 });
    try {
      const clean = await pool.prepare(
        `<p>ok<script>alert(1)</script><img src="/a.png"></p>${'<p>x</p>'.repeat(5000)}`,
      );
      expect(clean.body).toContain('<p>ok');
      expect(clean.body).not.toContain('script');
      expect(clean.imagesWithoutAlt).toEqual(['/a.png']);
      expect(clean.problem).toBeFalsy();
      const bad = await pool.prepare('<a href="javascript:alert(1)">x</a>');
      expect(bad.problem?.reason).toBe('UNSAFE_URL');
    } finally {
      await pool.close();
    }
  });

  it('prepares an import batch in tasks on its thread, as the core would inline; a refused body rejects only its own promise', async () => {
    const pool = htmlWorkPool({ threads: 1 });
    try {
      // 120 bodies: two tasks of prepareImportedBodies (BODIES_PER_TASK), the refused one in the first; links rewritten
      // on the thread.
      const bodies = Array.from({ length: 120 }, (_, i) =>
        i === 61
          ? '<a href="javascript:alert(1)">x</a>'
          : `<p>第${i}条<script>x()</script><img src="/${i}.png"><a href="/a/${i}.html">链接</a></p>`,
      );
      const batch = bodies.map((b, i) => ({
        html: Buffer.from(b, 'utf8'),
        rewrites: [`/a/${i}.html`, `/zwdt/${i}.html`],
      }));
      const onThread = await Promise.allSettled(prepareImportedBodies({ html: pool } as unknown as Ctx, batch));
      const inline = await Promise.allSettled(prepareImportedBodies({} as Ctx, batch));
      expect(onThread.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 61 ? 'rejected' : 'fulfilled')));
      expect(onThread[61]).toMatchObject({ reason: { reason: 'UNSAFE_URL' } });
      const seventh = onThread[7] as PromiseFulfilledResult<{ json: Buffer; text: Buffer }>;
      expect(JSON.parse(seventh.value.json.toString('utf8'))).toBe(
        '<p>第7条<img src="/7.png" /><a href="/zwdt/7.html">链接</a></p>',
      );
      expect(onThread.map(show)).toEqual(inline.map(show));
      // The batch's bytes stay readable after they were moved: each task had a copy of its own.
      expect(batch[7]!.html.toString('utf8')).toBe(bodies[7]);
    } finally {
      await pool.close();
    }
  });
});

const show = (r: PromiseSettledResult<{ json: Buffer; text: Buffer; linksMedia: boolean }>) =>
  r.status === 'fulfilled'
    ? [r.value.json.toString('utf8'), r.value.text.toString('utf8'), r.value.linksMedia]
    : String(r.reason);

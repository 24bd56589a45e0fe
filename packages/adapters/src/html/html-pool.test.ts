import { type Ctx, prepareItemBodies } from '@zhanqun/core';
import { prepareBody } from '@zhanqun/core/html';
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

  it('prepares many bodies in one task, each as alone, in order; a refused body rejects only its own promise', async () => {
    const pool = htmlWorkPool({ threads: 1 });
    try {
      // 120 bodies: three tasks of prepareItemBodies, the refused one in the middle task.
      const bodies = Array.from({ length: 120 }, (_, i) =>
        i === 61 ? '<a href="javascript:alert(1)">x</a>' : `<p>第${i}条<script>x()</script><img src="/${i}.png"></p>`,
      );
      const many = await pool.prepareMany(bodies);
      expect(many).toEqual(bodies.map((b) => prepareBody(b)));
      const settled = await Promise.allSettled(prepareItemBodies({ html: pool } as unknown as Ctx, bodies));
      expect(settled.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 61 ? 'rejected' : 'fulfilled')));
      expect(settled[61]).toMatchObject({ reason: { reason: 'UNSAFE_URL' } });
      expect(settled[7]).toMatchObject({
        value: { body: expect.stringContaining('第7条'), imagesWithoutAlt: ['/7.png'] },
      });
    } finally {
      await pool.close();
    }
  });
});

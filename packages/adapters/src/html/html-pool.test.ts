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
});

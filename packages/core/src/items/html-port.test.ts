import { describe, expect, it } from 'vitest';
import { prepareImportBodies } from '../import/import-bodies.ts';
import type { Ctx } from '../shared/context.ts';
import { BODIES_PER_TASK, type HtmlWorkPort, prepareImportedBodies } from './html-port.ts';
import { prepareBody } from './html-work.ts';

const asBytes = (html: string, rewrites: string[] = []) => ({ html: Buffer.from(html, 'utf8'), rewrites });

describe('prepareImportedBodies', () => {
  it('when the pool loses a task, prepares its bodies one by one: only the body that breaks the thread fails', async () => {
    const bodies = Array.from({ length: 70 }, (_, i) => `<p>第${i}条</p>`);
    const asked: string[][] = [];
    // A pool whose thread dies on body 12 (as one over its heap limit would): the task holding it is lost.
    const lost = Math.floor(12 / BODIES_PER_TASK) * BODIES_PER_TASK;
    const pool: HtmlWorkPort = {
      prepare: async (html) => prepareBody(html),
      prepareImport: async (task) => {
        const htmls = task.ends.map((end, i) => Buffer.from(task.bytes).toString('utf8', task.ends[i - 1] ?? 0, end));
        asked.push(htmls);
        if (htmls.includes(bodies[12]!)) throw new Error('worker exited');
        return prepareImportBodies(task);
      },
    };
    const settled = await Promise.allSettled(
      prepareImportedBodies(
        { html: pool } as unknown as Ctx,
        bodies.map((b) => asBytes(b)),
      ),
    );
    expect(settled.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 12 ? 'rejected' : 'fulfilled')));
    expect(settled[12]).toMatchObject({ reason: { message: 'worker exited' } });
    const third = settled[3] as PromiseFulfilledResult<{ json: Buffer; text: Buffer }>;
    expect(JSON.parse(third.value.json.toString('utf8'))).toBe('<p>第3条</p>');
    expect(third.value.text.toString('utf8')).toBe('第3条');
    // One task per BODIES_PER_TASK bodies; only the lost task's bodies were asked again, each alone.
    const tasks = Math.ceil(bodies.length / BODIES_PER_TASK);
    expect(asked.slice(0, tasks).map((t) => t.length)).toEqual(
      Array.from({ length: tasks }, (_, i) => Math.min(BODIES_PER_TASK, bodies.length - i * BODIES_PER_TASK)),
    );
    expect(asked.slice(tasks)).toEqual(bodies.slice(lost, lost + BODIES_PER_TASK).map((b) => [b]));
  });

  it('prepares inline without a pool, with the same results: rewritten, sanitised, refusals in place', async () => {
    const bodies = [
      asBytes('<p>一<img src="/uploads/a.jpg" alt="图"><a href="/a/1.html">链接</a></p><script>x()</script>', [
        '/uploads/a.jpg',
        '/media/0b9e4c1e-2f0a-4c55-9d8e-000000000001/original',
        '/a/1.html',
        '/zwdt/1.html',
      ]),
      asBytes('<a href="javascript:alert(1)">x</a>'),
      asBytes('<p>三</p>'),
    ];
    const settled = await Promise.allSettled(prepareImportedBodies({} as Ctx, bodies));
    const first = settled[0] as PromiseFulfilledResult<{ json: Buffer; text: Buffer; linksMedia: boolean }>;
    const expected = prepareBody(
      '<p>一<img src="/media/0b9e4c1e-2f0a-4c55-9d8e-000000000001/original" alt="图"><a href="/zwdt/1.html">链接</a></p><script>x()</script>',
    );
    expect(first.value.json.toString('utf8')).toBe(JSON.stringify(expected.body));
    expect(first.value.text.toString('utf8')).toBe(expected.text);
    expect(first.value.linksMedia).toBe(true);
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { reason: 'UNSAFE_URL' } });
    expect(settled[2]).toMatchObject({ status: 'fulfilled', value: { linksMedia: false } });
  });
});

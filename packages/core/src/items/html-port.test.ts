import { describe, expect, it } from 'vitest';
import type { Ctx } from '../shared/context.ts';
import { BODIES_PER_TASK, type HtmlWorkPort, prepareItemBodies } from './html-port.ts';
import { prepareBody } from './html-work.ts';

describe('prepareItemBodies', () => {
  it('when the pool loses a task, prepares its bodies one by one: only the body that breaks the thread fails', async () => {
    const bodies = Array.from({ length: 70 }, (_, i) => `<p>第${i}条</p>`);
    const asked: string[] = [];
    // A pool whose thread dies on body 12 (as one over its heap limit would): the task holding it is lost.
    const lost = Math.floor(12 / BODIES_PER_TASK) * BODIES_PER_TASK;
    const pool: HtmlWorkPort = {
      prepareMany: async (htmls) => {
        if (htmls.includes(bodies[12]!)) throw new Error('worker exited');
        return htmls.map((h) => prepareBody(h));
      },
      prepare: async (html) => {
        asked.push(html);
        if (html === bodies[12]) throw new Error('worker exited');
        return prepareBody(html);
      },
    };
    const settled = await Promise.allSettled(prepareItemBodies({ html: pool } as unknown as Ctx, bodies));
    expect(settled.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 12 ? 'rejected' : 'fulfilled')));
    expect(settled[12]).toMatchObject({ reason: { message: 'worker exited' } });
    expect(settled[3]).toMatchObject({ value: { body: '<p>第3条</p>' } });
    // Only the lost task's bodies were asked again; the other tasks' were not.
    expect(asked).toEqual(bodies.slice(lost, lost + BODIES_PER_TASK));
  });

  it('prepares inline without a pool, with the same results', async () => {
    const bodies = ['<p>一</p><script>x()</script>', '<a href="javascript:alert(1)">x</a>'];
    const settled = await Promise.allSettled(prepareItemBodies({} as Ctx, bodies));
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: prepareBody(bodies[0]!) });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { reason: 'UNSAFE_URL' } });
  });
});

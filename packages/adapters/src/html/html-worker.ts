/** The worker thread's task: the body's HTML work, pure and self-contained (see html-pool.ts). */
import { type PreparedBody, prepareBody } from '@zhanqun/core/html';

/** One body, or many in one task (`prepareMany`): a body whose work throws is `{ error }` in its place. */
export default function run(html: string | string[]): PreparedBody | (PreparedBody | { error: string })[] {
  if (!Array.isArray(html)) return prepareBody(html);
  return html.map((h) => {
    try {
      return prepareBody(h);
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}

/** The worker thread's task: the body's HTML work, pure and self-contained (see html-pool.ts). */
import { type PreparedBody, prepareBody } from '@zhanqun/core/html';

export default function run(html: string): PreparedBody {
  return prepareBody(html);
}

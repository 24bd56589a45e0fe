/** The worker thread's task: the body's HTML work, pure and self-contained (see html-pool.ts). */
import { type PreparedBody, prepareBody } from '@zhanqun/core/html';
import { type ImportBodiesDone, type ImportBodiesTask, prepareImportBodies } from '@zhanqun/core/import-bodies';

/** One body (`prepare`), or an import batch's bodies as bytes (`prepareImport`). */
export default function run(task: string | ImportBodiesTask): PreparedBody | ImportBodiesDone {
  return typeof task === 'string' ? prepareBody(task) : prepareImportBodies(task);
}

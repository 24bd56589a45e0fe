/** The worker thread's task: a document's text (see text-pool.ts). */
import { extractText } from './extract-text.ts';

export default function run(task: { path: string; mediaType: string }): Promise<string | null> {
  return extractText(task.path, task.mediaType);
}

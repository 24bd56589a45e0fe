import { readFileSync } from 'node:fs';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { HtmlWorkPort } from '@zhanqun/core';
import { Piscina } from 'piscina';

const WORKER = new URL('./html-worker.ts', import.meta.url).href;

/**
 * The worker's modules as JavaScript, stripped here — this thread has Node's TypeScript stripper loaded already —
 * so the worker thread need not start its own (~19 MB of RSS per thread; html-worker-entry.mjs, ADR 0032). Null
 * when that cannot be done (a runtime without `stripTypeScriptTypes`): the worker then loads the `.ts` itself.
 */
function strippedWorkerModules(): Record<string, string> | null {
  // stripTypeScriptTypes is flagged experimental in Node 24 and warns once on first use; this use is ours and
  // deliberate, and the warning would otherwise reach every process's log. Only that warning is held back.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (w: string | Error, ...r: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // The worker's TypeScript modules: html-worker.ts and what it imports of ours — html-work.ts (which imports
    // packages only), import-bodies.ts and the one module of ours it imports besides html-work.ts.
    const resolve = createRequire(import.meta.url).resolve;
    const html = pathToFileURL(resolve('@zhanqun/core/html')).href;
    const bodies = pathToFileURL(resolve('@zhanqun/core/import-bodies')).href;
    const sources: Record<string, string> = {};
    for (const url of [WORKER, html, bodies, new URL('./body-urls.ts', bodies).href])
      sources[url] = stripTypeScriptTypes(readFileSync(new URL(url), 'utf8'));
    return sources;
  } catch {
    return null;
  } finally {
    process.emitWarning = emitWarning;
  }
}

let workerModules: Record<string, string> | null | undefined;

/**
 * A small pool of worker threads for the heavy HTML work on item bodies (checking, sanitising, text and alt
 * extraction), so that a large body never stalls the event loop: /health and every other request keep
 * answering while it is processed (issue 7). Piscina rather than hand-made worker bookkeeping: ADR 0010.
 */
export function htmlWorkPool(opts: { threads?: number } = {}): HtmlWorkPort & { close(): Promise<void> } {
  const threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
  if (workerModules === undefined) workerModules = strippedWorkerModules();
  const pool = new Piscina({
    ...(workerModules
      ? {
          filename: new URL('./html-worker-entry.mjs', import.meta.url).href,
          workerData: { main: WORKER, sources: workerModules },
        }
      : { filename: WORKER }),
    minThreads: 0,
    maxThreads: threads,
    // A second task waits on the thread itself, not in this thread's queue: the worker goes on to it without waiting
    // for this thread to take the last result and post the next (issue 11: an import's main thread is often busy for
    // tens of milliseconds, and the pool sat idle meanwhile). The worker still runs one task at a time.
    concurrentTasksPerWorker: 2,
    // Threads are started on the first large body and stopped after a minute without one.
    idleTimeout: 60_000,
    // A body is at most 2,000,000 characters; a pathological one must not take the process's memory with it.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  return {
    prepare: (html) => pool.run(html),
    // The bodies' bytes are moved to the worker's thread, not copied (a buffer of the task's own: importBodiesTask).
    prepareImport: (task) => pool.run(task, { transferList: [task.bytes.buffer as ArrayBuffer] }),
    close: () => pool.destroy(),
  };
}

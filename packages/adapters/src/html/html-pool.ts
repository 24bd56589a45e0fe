import { availableParallelism } from 'node:os';
import type { HtmlWorkPort } from '@zhanqun/core';
import { Piscina } from 'piscina';

/**
 * A small pool of worker threads for the heavy HTML work on item bodies (checking, sanitising, text and alt
 * extraction), so that a large body never stalls the event loop: /health and every other request keep
 * answering while it is processed (issue 7). Piscina rather than hand-made worker bookkeeping: ADR 0010.
 */
export function htmlWorkPool(opts: { threads?: number } = {}): HtmlWorkPort & { close(): Promise<void> } {
  const threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
  const pool = new Piscina({
    filename: new URL('./html-worker.ts', import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    // Threads are started on the first large body and stopped after a minute without one.
    idleTimeout: 60_000,
    // A body is at most 2,000,000 characters; a pathological one must not take the process's memory with it.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  return {
    prepare: (html) => pool.run(html),
    close: () => pool.destroy(),
  };
}

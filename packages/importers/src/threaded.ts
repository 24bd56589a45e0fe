/**
 * A source read on a thread of its own (issue 11: throughput). Reading an export — decoding, the XML or SQL
 * tokenizer, the adapter's mapping, WordPress's wpautop — is most of the importing thread's work while a run is
 * staged, and PostgreSQL waits on it; on its own thread it runs beside the staging (hashing, the batch's JSON, the
 * inserts). Same events, same order, same errors: the thread opens the source with the adapter already chosen.
 */
import { Worker } from 'node:worker_threads';
import type { ReadThreadData, ReadThreadMessage } from './read-thread.ts';
import { type ImportEvent, type ImportSource, ImportSourceError, type OpenOptions } from './record.ts';

/**
 * Events per message: a few hundred kilobytes of records. Few enough that a message's events are taken before V8's
 * young generation has been collected twice (issue 11: a message's events all arrive at once and wait for the ones
 * before them; waiting through two scavenges, they were moved into the old space — the import's largest collector
 * cost — only to die there).
 */
const BATCH_EVENTS = 50;
/** Batches the reading thread may be ahead of the importing one. */
const IN_FLIGHT = 4;

/** `source` (opened on this thread: its system, name and base URL) with `read()` done on a thread of its own. */
export function threadedSource(source: ImportSource, paths: string[], options: OpenOptions = {}): ImportSource {
  return {
    system: source.system,
    siteName: source.siteName ?? null,
    baseUrl: source.baseUrl ?? null,
    read: () => readInThread({ paths, options: { ...options, system: source.system } }),
  };
}

async function* readInThread(data: Omit<ReadThreadData, 'batchEvents' | 'inFlight'>): AsyncGenerator<ImportEvent> {
  const worker = new Worker(new URL('./read-thread.ts', import.meta.url), {
    workerData: { ...data, batchEvents: BATCH_EVENTS, inFlight: IN_FLIGHT } satisfies ReadThreadData,
  });
  const queue: ReadThreadMessage[] = [];
  let wake: (() => void) | null = null;
  const push = (m: ReadThreadMessage) => {
    queue.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (e) => push({ error: { name: e.name, message: e.message, code: null } }));
  worker.on('exit', (code) =>
    push({ error: { name: 'Error', message: `the source's reading thread stopped (exit code ${code})`, code: null } }),
  );
  try {
    for (;;) {
      while (!queue.length) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if ('done' in m) return;
      if ('error' in m) {
        const e = m.error.code ? new ImportSourceError(m.error.code, m.error.message) : new Error(m.error.message);
        if (!m.error.code) e.name = m.error.name;
        throw e;
      }
      // The thread may read the next batch while this one is taken.
      worker.postMessage('more');
      // Each event is let go as it is taken: only the ones still to come are held.
      const events = m.events;
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        events[i] = undefined as never;
        yield ev;
      }
    }
  } finally {
    // Done, failed, or left early by the importer (a cancelled run): the thread goes, with whatever it holds.
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

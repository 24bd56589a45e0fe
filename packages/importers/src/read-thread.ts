/**
 * The thread that reads a legacy source (threaded.ts): opens it as `openSource` does and hands its events to the
 * importing thread in batches, never more than `inFlight` batches ahead of what that thread has taken (memory stays
 * flat whatever the export's size). A failure is sent as data: an Error's own fields do not cross threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ImportEvent, OpenOptions, SourceSystem } from './record.ts';
import { openSource } from './sources.ts';

export interface ReadThreadData {
  paths: string[];
  options: OpenOptions & { system: SourceSystem };
  batchEvents: number;
  inFlight: number;
}
export type ReadThreadMessage =
  | { events: ImportEvent[] }
  | { done: true }
  | { error: { name: string; message: string; code: string | null } };

const port = parentPort!;
const { paths, options, batchEvents, inFlight } = workerData as ReadThreadData;
let credit = inFlight;
let wake: (() => void) | null = null;
port.on('message', (m: unknown) => {
  if (m !== 'more') return;
  credit += 1;
  wake?.();
  wake = null;
});

const send = async (msg: ReadThreadMessage) => {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit -= 1;
  port.postMessage(msg);
};

try {
  const source = await openSource(paths, options);
  let batch: ImportEvent[] = [];
  for await (const ev of source.read()) {
    batch.push(ev);
    if (batch.length >= batchEvents) {
      await send({ events: batch });
      batch = [];
    }
  }
  if (batch.length) await send({ events: batch });
  port.postMessage({ done: true } satisfies ReadThreadMessage);
} catch (e) {
  const err = e as Error & { code?: unknown };
  port.postMessage({
    error: {
      name: err?.name ?? 'Error',
      message: err?.message ?? String(e),
      code: typeof err?.code === 'string' ? err.code : null,
    },
  } satisfies ReadThreadMessage);
}

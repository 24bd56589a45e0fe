/**
 * The load generator: autocannon (keep-alive HTTP/1.1, N connections, one request in flight per connection),
 * run in this process against a server in another process on 127.0.0.1. Bounded by time: a warm-up, then a
 * fixed measuring window; a guard stops it if it overruns.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  /** Base URL of the server (http://127.0.0.1:PORT). Only loopback targets are accepted. */
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Request bodies, sent in turn (e.g. one per column or item), so the servers do not answer one row all along. */
  bodies: string[];
  /**
   * Response bodies are NOT compared here: comparing every body would cost the load generator — which shares
   * the cores with the servers — as much CPU as a server spends, and cap the faster one (issue 10). The caller
   * checks a sample of answers before and after the window instead.
   */
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Called right before and right after the measuring window (CPU samples). */
  beforeWindow?: () => void;
  afterWindow?: () => void;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors (timeouts included) + non-2xx. */
  errors: number;
  detail: { errors: number; timeouts: number; non2xx: number; mismatches: number };
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`refusing to load ${url}: benchmarks only target this machine's loopback addresses`);
  }
}

/** Response times in ms with sub-millisecond resolution (autocannon's own histogram is in whole ms). */
class Samples {
  private readonly values: Float64Array;
  count = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  add(ms: number) {
    if (this.count < this.values.length) this.values[this.count++] = ms;
  }
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = this.values.subarray(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.ceil((p / 100) * this.count) - 1)]!;
  }
}

async function run(spec: LoadSpec, seconds: number, samples?: Samples) {
  let next = 0;
  const instance = autocannon({
    url: new URL(spec.path, spec.url).toString(),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.bodies[0],
    requests: [
      {
        setupRequest: (req) => {
          req.body = spec.bodies[next++ % spec.bodies.length];
          return req;
        },
      },
    ],
    connections: spec.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
  if (samples) {
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) samples.add(ms);
    });
  }
  // autocannon stops itself after `duration`; this guard bounds the run should it not.
  const guard = setTimeout(() => instance.stop(), (seconds + 15) * 1000);
  try {
    return await instance;
  } finally {
    clearTimeout(guard);
  }
}

export async function measure(spec: LoadSpec): Promise<LoadResult> {
  assertLoopback(spec.url);
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  // Generous capacity: 100k req/s for the whole window would still fit.
  const samples = new Samples(Math.max(1, Math.ceil(spec.seconds * 100_000)));
  spec.beforeWindow?.();
  const r = await run(spec, spec.seconds, samples);
  spec.afterWindow?.();
  const detail = { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, mismatches: r.mismatches };
  const ok = samples.count;
  return {
    requests: ok,
    seconds: r.duration,
    rps: ok / r.duration,
    p50: samples.percentile(50),
    p99: samples.percentile(99),
    max: samples.percentile(100),
    errors: detail.errors + detail.non2xx + detail.mismatches,
    detail,
  };
}

/**
 * Load in the background (the mixed-load scenario of bench:search): rotates over `bodies` at `connections`
 * until stopped (at most `maxSeconds`), and reports what it served.
 */
export function backgroundLoad(spec: Omit<LoadSpec, 'seconds' | 'warmupSeconds'> & { maxSeconds: number }) {
  assertLoopback(spec.url);
  let served = 0;
  let next = 0;
  const started = Date.now();
  const instance = autocannon({
    url: new URL(spec.path, spec.url).toString(),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.bodies[0],
    requests: [
      {
        setupRequest: (req) => {
          req.body = spec.bodies[next++ % spec.bodies.length];
          return req;
        },
      },
    ],
    connections: spec.connections,
    pipelining: 1,
    duration: spec.maxSeconds,
    timeout: 10,
  });
  instance.on('response', (_c: unknown, status: number) => {
    if (status >= 200 && status < 300) served++;
  });
  return {
    async stop(): Promise<{ rps: number; errors: number }> {
      instance.stop();
      const r = await instance;
      return { rps: served / ((Date.now() - started) / 1000), errors: r.errors + r.non2xx + r.timeouts };
    },
  };
}

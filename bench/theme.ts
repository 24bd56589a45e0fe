/**
 * `pnpm bench:theme`: the reference theme's full HTML pages under load — p50/p95 latency and req/s for the home
 * page and an article page of 米易县 (the demo city with its published content), with the theme's HTTP cache of
 * API answers on (as deployed: fresh for the API's max-age, then revalidated by ETag) and off (every page asks
 * the API). The API and the theme run as child processes on loopback; autocannon runs here. Prints figures;
 * never fails on them. The theme reads with its own API token (READ_PUBLISHED, 米易县), created by the very
 * function `./dev start` uses (infra/dev/theme-token.ts), so it is answered and counted as deployed
 * (docs/operations.md: THEME_API_TOKEN), not as an anonymous reader.
 *
 *   BENCH_THEME_SECONDS=10      measuring window per scenario (1–120); a 2 s warm-up comes first
 *   BENCH_THEME_CONNECTIONS=16  concurrent connections (1–256)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ensureThemeToken } from '../infra/dev/theme-token.ts';
import { findFreePort, stopChild } from '../packages/testing/src/index.ts';
import { seedDemoContent } from '../services/theme/src/demo-content.ts';
import { startStack } from './lib/stack.ts';
import { intEnv } from './lib/env.ts';

const seconds = intEnv('BENCH_THEME_SECONDS', 10, 1, 120);
const connections = intEnv('BENCH_THEME_CONNECTIONS', 16, 1, 256);
const root = fileURLToPath(new URL('../', import.meta.url));
const say = (m: string) => console.log(`[bench:theme] ${m}`);

function start(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', (code) => code && say(`${name} exited with ${code}`));
  return child;
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await delay(200);
  }
  throw new Error(`${url} did not become ready`);
}

/** The status of a page on the theme for 米易县's host (fetch would not send our Host header). */
function statusOf(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers: { host: 'miyi.localhost' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function load(url: string, path: string, window: number, sample: boolean) {
  const times: number[] = [];
  const instance = autocannon({
    url: `${url}${path}`,
    connections,
    duration: window,
    headers: { host: 'miyi.localhost' },
  });
  instance.on('response', (_c, status, _b, t) => status === 200 && times.push(t));
  const r = await instance;
  if (!sample) times.length = 0;
  times.sort((a, b) => a - b);
  return {
    rps: times.length / r.duration,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main() {
  const stack = await startStack(say);
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const apiPort = await findFreePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const mediaDir = await mkdtemp(join(tmpdir(), 'zq-bench-theme-media-'));
    cleanups.push(() => rm(mediaDir, { recursive: true, force: true }));
    children.push(
      start('api', 'services/api/src/main.ts', {
        ...stack.apiEnv,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        MEDIA_DIR: join(mediaDir, 'store'),
        MEDIA_TMP_DIR: join(mediaDir, 'tmp'),
      }),
    );
    await ready(`${apiUrl}/ready`);
    const content = await seedDemoContent(apiUrl);
    if (!content) throw new Error('demo content missing');
    // As `./dev start` does (infra/dev/start.ts): the site admin creates the theme's token through the API, kept in a
    // secrets file (here the run's throwaway dir). Unlike `./dev start`, no fallback to running without a token: a
    // bench of the anonymous path would measure something else than what is deployed.
    const { token } = await ensureThemeToken(apiUrl, join(mediaDir, 'secrets.json'));
    const rows: string[] = [];
    for (const cache of [true, false]) {
      const port = await findFreePort();
      const theme = start('theme', 'services/theme/src/main.ts', {
        THEME_API_URL: apiUrl,
        THEME_PORT: String(port),
        THEME_API_CACHE: cache ? '1' : '0',
        THEME_LOG: '0',
        THEME_API_TOKEN: token,
      });
      children.push(theme);
      const url = `http://127.0.0.1:${port}`;
      await ready(`${url}/assets/theme.css`);
      for (const [name, path] of [
        ['home', '/'],
        ['article', content.article.path],
      ] as const) {
        const status = await statusOf(port, path);
        if (status !== 200) throw new Error(`${name}: HTTP ${status}`);
        await load(url, path, 2, false);
        const r = await load(url, path, seconds, true);
        rows.push(
          `| ${name.padEnd(7)} | ${cache ? 'on ' : 'off'} | ${r.rps.toFixed(0).padStart(6)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p95.toFixed(1).padStart(6)} | ${r.non2xx + r.errors} |`,
        );
      }
      await stopChild(theme);
      children.pop();
    }
    console.log(
      [
        '',
        `Theme full HTML pages: ${seconds} s per scenario, ${connections} connections, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(2)}`,
        '| page    | API cache | req/s | p50 ms | p95 ms | errors |',
        '|---------|-----|--------|--------|--------|--------|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    for (const c of children) await stopChild(c);
    for (const c of cleanups) await c();
    await stack.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

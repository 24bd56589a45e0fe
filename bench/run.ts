/**
 * `pnpm bench` / `./dev bench`: the public read "the 20 newest published items of a column", measured side by
 * side on the bare floor (Fastify + Mercurius + one pg query) and on our API, on the same seeded data.
 * Prints figures; never fails on them. See bench/README.md.
 *
 *   BENCH_SECONDS=10      measuring window per target (1–300)
 *   BENCH_WARMUP=2        warm-up per target, discarded (0–60)
 *   BENCH_CONNECTIONS=20  concurrent keep-alive connections (1–256)
 *   BENCH_VERBOSE=1       also print the SQL our API issues for one request
 */
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform as osPlatform, release } from 'node:os';
import { FLOOR_QUERY, type FloorConfig } from './floor.ts';
import { spawnTarget, type Target } from './lib/child.ts';
import { libs } from './lib/deps.ts';
import { type LoadResult, measure } from './lib/load.ts';
import { type Stack, startStack, TARGET } from './lib/stack.ts';
import { countStatements, type GqlRequest, OURS_QUERY, type OursConfig, type StatementCount } from './ours.ts';
import { lifetime } from './lib/lifetime.ts';

const RATIO_TARGET = 0.7;
const PAGE = 20;

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}`);
  return n;
}

function flagEnv(name: string): boolean {
  return process.env[name] === '1';
}

const settings = {
  seconds: intEnv('BENCH_SECONDS', 10, 1, 300),
  warmup: intEnv('BENCH_WARMUP', 2, 0, 60),
  connections: intEnv('BENCH_CONNECTIONS', 20, 1, 256),
  verbose: flagEnv('BENCH_VERBOSE'),
};

const say = (m: string) => console.log(`[bench] ${m}`);

// ---------------------------------------------------------------------------------------------------------------
// Lifetime: everything started is stopped, in reverse order, on success, failure and Ctrl-C alike.

const { cleanups, stopAll } = lifetime(say);

// ---------------------------------------------------------------------------------------------------------------

interface Gql {
  status: number;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** One POST /graphql over a fresh connection (node:http, so the Host header can be set). */
function postGraphql(base: string, req: GqlRequest): Promise<Gql> {
  const body = JSON.stringify({ query: req.query, variables: req.variables });
  const url = new URL('/graphql', base);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text) });
          } catch {
            reject(new Error(`${url}: HTTP ${res.statusCode}, not JSON: ${text.slice(0, 300)}`));
          }
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${url}: no answer in 10 s`)));
    r.on('error', reject);
    r.end(body);
  });
}

interface ItemOut {
  id: string;
  title: string;
  publishedAt: string;
  summary: string | null;
}

function floorItems(g: Gql): ItemOut[] {
  return (g.json.data as { columnItems: ItemOut[] }).columnItems;
}
function ourItems(g: Gql): ItemOut[] {
  return (g.json.data as { items: { edges: { node: ItemOut }[] } }).items.edges.map((e) => e.node);
}

async function measureTarget(target: Target, req: GqlRequest, expectBody: string): Promise<LoadResult> {
  say(`${target.name}: ${settings.warmup} s warm-up + ${settings.seconds} s at ${settings.connections} connections`);
  return measure({
    url: target.url,
    path: '/graphql',
    headers: req.headers,
    body: JSON.stringify({ query: req.query, variables: req.variables }),
    expectBody,
    connections: settings.connections,
    seconds: settings.seconds,
    warmupSeconds: settings.warmup,
  });
}

async function runFloor(stack: Stack): Promise<{ result: LoadResult; items: ItemOut[] }> {
  const config: FloorConfig = { ownerUrl: stack.ownerUrl, poolMax: 10 };
  const target = await spawnTarget('floor', new URL('./floor.ts', import.meta.url), config);
  cleanups.push(target.stop);
  try {
    const req: GqlRequest = { query: FLOOR_QUERY, variables: { c: stack.target.columnId, n: PAGE }, headers: {} };
    const probe = await postGraphql(target.url, req);
    if (probe.json.errors || probe.status !== 200) throw new Error(`floor answered ${probe.status}: ${probe.text}`);
    const items = floorItems(probe);
    if (items.length !== PAGE) throw new Error(`floor returned ${items.length} items, expected ${PAGE}`);
    return { result: await measureTarget(target, req, probe.text), items };
  } finally {
    await target.stop();
  }
}

type Ours =
  | { available: false; reason: string }
  | {
      available: true;
      result: LoadResult;
      statements: { cold: StatementCount; warm: StatementCount };
      sameAsFloor: boolean;
      note?: string;
    };

async function runOurs(stack: Stack, floor: ItemOut[]): Promise<Ours> {
  const config: OursConfig = { env: stack.apiEnv };
  const req: GqlRequest = {
    query: OURS_QUERY,
    variables: { s: TARGET.site, c: TARGET.column },
    headers: { host: TARGET.host },
  };
  // Statement count first, on an in-process instance with the ORM's query hook (see ours.ts).
  const counted = await countStatements(config, req);
  const errors = (counted.body as Gql['json']).errors;
  if (errors?.length) {
    return { available: false, reason: `HTTP ${counted.status}: ${errors.map((e) => e.message).join('; ')}` };
  }
  const target = await spawnTarget('ours', new URL('./ours.ts', import.meta.url), config);
  cleanups.push(target.stop);
  try {
    const probe = await postGraphql(target.url, req);
    if (probe.json.errors?.length || probe.status !== 200) {
      return { available: false, reason: `HTTP ${probe.status}: ${probe.text.slice(0, 500)}` };
    }
    const items = ourItems(probe);
    const sameAsFloor =
      items.length === floor.length &&
      items.every(
        (it, i) => it.id === floor[i]!.id && it.title === floor[i]!.title && it.summary === floor[i]!.summary,
      );
    const result = await measureTarget(target, req, probe.text);
    return {
      available: true,
      result,
      statements: { cold: counted.cold, warm: counted.warm },
      sameAsFloor,
      note: sameAsFloor ? undefined : `ours returned ${items.length} items; first ${JSON.stringify(items[0])}`,
    };
  } finally {
    await target.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const padEnd = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));

function row(cells: string[]): string {
  const widths = [8, 10, 9, 9, 8, 10];
  return cells.map((c, i) => (i === 0 ? padEnd(c, widths[0]!) : pad(c, widths[i]!))).join('  ');
}

function report(stack: Stack, floor: LoadResult, ours: Ours, startedAt: Date, loadBefore: number): void {
  const require = createRequire(import.meta.url);
  const autocannonVersion = (require('autocannon/package.json') as { version: string }).version;
  const v = libs.versions();
  const cpu = cpus();
  const lines: string[] = [];
  lines.push('');
  lines.push(`Public read: the ${PAGE} newest published items of a column`);
  lines.push(
    `  data     ${TARGET.site} ${TARGET.column}: ${stack.seeded.targetPublished} published + ${stack.seeded.targetDrafts} drafts; ` +
      `${stack.seeded.otherPublished} published items over ${stack.seeded.columns} other columns of 3 sites`,
  );
  lines.push(
    `  machine  ${startedAt.toISOString().slice(0, 10)}, ${osPlatform()} ${release()}, ${cpu.length} cores ` +
      `(${cpu[0]?.model.trim() ?? '?'}), node ${process.version}, PostgreSQL 18 on the same cores`,
  );
  lines.push(
    `           load average ${fmt(loadBefore)} before the run` +
      (loadBefore > 0.5 ? ' — something else was busy; expect noisier figures' : ''),
  );
  lines.push(
    `  stack    fastify ${v.fastify}, mercurius ${v.mercurius}, graphql ${v.graphql}, pg ${v.pg}; pool max 10 on both sides`,
  );
  lines.push(
    `  load     autocannon ${autocannonVersion} in the orchestrating process (not a separate machine), ` +
      `${settings.connections} keep-alive connections, ${settings.warmup} s warm-up + ${settings.seconds} s per target, ` +
      'targets one after the other, each server in its own child process.',
  );
  lines.push(
    '           The load generator and PostgreSQL share the 2 cores with the server under test, so both figures ' +
      'understate what a dedicated server would do; compare the ratio, not the absolutes.',
  );
  lines.push('');
  lines.push(row(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs floor']));
  const line = (name: string, r: LoadResult, ratio: string) =>
    row([name, fmt(r.rps, 0), fmt(r.p50), fmt(r.p99), String(r.errors), ratio]);
  lines.push(line('floor', floor, '1.00×'));
  if (ours.available) {
    const ratio = ours.result.rps / floor.rps;
    lines.push(line('ours', ours.result, `${fmt(ratio)}×`));
    lines.push('');
    lines.push(
      `  ours/floor = ${fmt(ratio)}× of the floor's req/s; the requirement is ≥ ${fmt(RATIO_TARGET, 1)}× ` +
        `(${ratio >= RATIO_TARGET ? 'met' : 'NOT met'} on this run; a figure, not a test).`,
    );
    const s = ours.statements;
    lines.push(
      `  ours issues ${plural(s.warm.data + s.warm.scope, 'SQL statement')} per request (${s.warm.data} data + ${s.warm.scope} ` +
        `transaction/RLS scope: BEGIN, set_config, COMMIT); the first request after start ${s.cold.data + s.cold.scope} ` +
        `(${s.cold.data} + ${s.cold.scope}). The floor issues 1.`,
    );
    lines.push(`  same ${PAGE} items, same order as the floor: ${ours.sameAsFloor ? 'yes' : `NO — ${ours.note}`}`);
    if (settings.verbose) for (const q of s.warm.sql) lines.push(`    sql: ${q}`);
  } else {
    lines.push(row(['ours', '–', '–', '–', '–', '–']));
    lines.push('');
    lines.push(`  ours: unavailable — the query failed: ${ours.reason}`);
  }
  for (const [name, r] of [['floor', floor], ...(ours.available ? [['ours', ours.result] as const] : [])] as const) {
    if (r.errors) lines.push(`  ${name} errors: ${JSON.stringify(r.detail)}`);
  }
  lines.push('');
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  say('starting PostgreSQL and Meilisearch in a temp dir, seeding');
  const stack = await startStack(say);
  cleanups.push(stack.stop);
  const floor = await runFloor(stack);
  let ours: Ours;
  try {
    ours = await runOurs(stack, floor.items);
  } catch (e) {
    ours = { available: false, reason: String((e as Error)?.message ?? e) };
  }
  if (!ours.available) say(`ours: unavailable — ${ours.reason}`);
  report(stack, floor.result, ours, startedAt, loadBefore);
}

try {
  await main();
  await stopAll();
  process.exit(0);
} catch (e) {
  console.error(e);
  await stopAll();
  process.exit(1);
}

/**
 * `pnpm bench` / `./dev bench`: public reads on realistic government content (issue 10), side by side on the bare
 * floor (Fastify + Mercurius + pg over a plain `articles` table of the same rows) and on our API, one scenario at a
 * time. Prints figures; never fails on them. See bench/README.md.
 *
 *   BENCH_ITEMS=100000    published items over BENCH_COLUMNS columns of one site (1000–1000000)
 *   BENCH_COLUMNS=50      list columns (1–50)
 *   BENCH_SECONDS=10      measuring window per scenario and target (1–300)
 *   BENCH_WARMUP=3        warm-up per scenario and target, discarded (0–60)
 *   BENCH_CONNECTIONS=32  concurrent keep-alive connections (1–256)
 *   BENCH_ONLY=list,item  run only these scenarios
 *   BENCH_VERBOSE=1       also print the SQL our API issues for one request of each scenario
 *   BENCH_CPU_PROF=dir    run our API under `node --cpu-prof` and write its profile into dir (on exit)
 */
import { isDeepStrictEqual } from 'node:util';
import { cpus, loadavg, platform as osPlatform, release } from 'node:os';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { FloorConfig } from './floor.ts';
import { spawnTarget, type Target } from './lib/child.ts';
import { postgresCpu, postmasterPid, processCpu, rssMiB } from './lib/cpu.ts';
import { libs } from './lib/deps.ts';
import { lifetime } from './lib/lifetime.ts';
import { type LoadResult, measure } from './lib/load.ts';
import { type RealisticSeed, SEED_SITE, seedRealistic } from './lib/realistic-seed.ts';
import { type Stack, startStack } from './lib/stack.ts';
import { countStatements, type GqlRequest, type OursConfig, type StatementCount } from './ours.ts';
import { intEnv } from './lib/env.ts';

const RATIO_TARGET = 0.7;

const settings = {
  items: intEnv('BENCH_ITEMS', 100_000, 1_000, 1_000_000),
  columns: intEnv('BENCH_COLUMNS', 50, 1, 50),
  seconds: intEnv('BENCH_SECONDS', 10, 1, 300),
  warmup: intEnv('BENCH_WARMUP', 3, 0, 60),
  connections: intEnv('BENCH_CONNECTIONS', 32, 1, 256),
  only: (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean),
  verbose: process.env.BENCH_VERBOSE === '1',
  cpuProf: process.env.BENCH_CPU_PROF ?? '',
};

const say = (m: string) => console.log(`[bench] ${m}`);
const { cleanups, stopAll } = lifetime(say);

// ---------------------------------------------------------------------------------------------------------------
// Scenarios: one request shape each, with the variables it rotates through (both servers must answer them alike).

interface Scenario {
  name: string;
  title: string;
  query: string;
  variables: (seed: RealisticSeed) => Record<string, unknown>[];
}

const ITEM_FIELDS = 'id kind title summary source docNumber publishedAt';

const SCENARIOS: Scenario[] = [
  {
    name: 'list',
    title: 'column list: the 20 newest published items of a column (rotating over every column)',
    query: `query($s: String!, $c: String) { items(site: $s, column: $c, first: 20) { edges { node { ${ITEM_FIELDS} } } } }`,
    variables: (seed) => seed.columnList.map((c) => ({ s: SEED_SITE.code, c: c.path })),
  },
  {
    name: 'item',
    title: 'item page: one published item with its ~3 KB body, item(id:) (rotating over a sample of items)',
    query: `query($id: ID!) { item(id: $id) { ${ITEM_FIELDS} body } }`,
    variables: (seed) => seed.sampleItemIds.map((id) => ({ id })),
  },
  {
    name: 'route',
    title: 'route(host, path) of an item page: the item with its body, its column and the site meta, by address',
    query: `query($h: String!, $p: String!) { route(host: $h, path: $p) { ... on ItemPage { status
      column { name path } item { ${ITEM_FIELDS} body } meta { SiteName SiteIDCode ColumnName ArticleTitle ContentSource } } } }`,
    variables: (seed) => seed.sampleItemPaths.map((p) => ({ h: SEED_SITE.host, p })),
  },
];

// ---------------------------------------------------------------------------------------------------------------

interface Gql {
  status: number;
  json: { data?: unknown; errors?: { message: string }[] };
}

/** One POST /graphql over a fresh connection: probes and answer checks only, never under measurement. */
function postGraphql(base: string, query: string, variables: Record<string, unknown>): Promise<Gql> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      new URL('/graphql', base),
      {
        method: 'POST',
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            reject(new Error(`HTTP ${res.statusCode}, not JSON: ${text.slice(0, 300)}`));
          }
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error('no answer in 10 s')));
    r.on('error', reject);
    r.end(body);
  });
}

/** A spread sample of the scenario's variables: the answers checked before and after each window. */
const sampleOf = <T>(xs: T[], n = 8): T[] => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0);

async function answers(target: Target, s: Scenario, vars: Record<string, unknown>[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const v of vars) {
    const r = await postGraphql(target.url, s.query, v);
    if (r.status !== 200 || r.json.errors?.length) {
      throw new Error(`${target.name} ${s.name}: HTTP ${r.status} ${JSON.stringify(r.json.errors ?? r.json)}`);
    }
    out.push(r.json.data);
  }
  return out;
}

interface Figures {
  result: LoadResult;
  /** CPU ms per request of the server process and of PostgreSQL (postmaster + backends). */
  cpuServer: number;
  cpuPostgres: number;
  /** The sampled answers were the same before and after the window. */
  stable: boolean;
}

async function run(target: Target, s: Scenario, vars: Record<string, unknown>[], stack: Stack): Promise<Figures> {
  const sample = sampleOf(vars);
  const before = await answers(target, s, sample);
  const pm = postmasterPid(stack.pgDataDir);
  let cpu0 = { server: 0, pg: 0 };
  let cpu1 = { server: 0, pg: 0 };
  say(
    `${s.name} on ${target.name}: ${settings.warmup} s warm-up + ${settings.seconds} s at ${settings.connections} connections`,
  );
  const result = await measure({
    url: target.url,
    path: '/graphql',
    headers: {},
    bodies: vars.map((v) => JSON.stringify({ query: s.query, variables: v })),
    connections: settings.connections,
    seconds: settings.seconds,
    warmupSeconds: settings.warmup,
    beforeWindow: () => (cpu0 = { server: processCpu(target.pid), pg: postgresCpu(pm) }),
    afterWindow: () => (cpu1 = { server: processCpu(target.pid), pg: postgresCpu(pm) }),
  });
  const after = await answers(target, s, sample);
  const per = (a: number, b: number) => ((b - a) * 1000) / Math.max(1, result.requests);
  return {
    result,
    cpuServer: per(cpu0.server, cpu1.server),
    cpuPostgres: per(cpu0.pg, cpu1.pg),
    stable: isDeepStrictEqual(before, after),
  };
}

interface Outcome {
  scenario: Scenario;
  floor: Figures;
  ours: Figures | { error: string };
  /** Ours with kept answers off (PUBLIC_ANSWERS_MB=0): every request executed, as for a page nobody asked before. */
  cold: Figures | null;
  sameAnswers: boolean | null;
  statements: { cold: StatementCount; warm: StatementCount } | null;
}

async function runScenario(
  s: Scenario,
  seed: RealisticSeed,
  stack: Stack,
  floor: Target,
  ours: Target,
  cold: Target,
): Promise<Outcome> {
  const vars = s.variables(seed);
  const sample = sampleOf(vars);
  const f = await answers(floor, s, sample);
  let sameAnswers: boolean | null = null;
  let statements: Outcome['statements'] = null;
  try {
    sameAnswers = isDeepStrictEqual(f, await answers(ours, s, sample));
    const req: GqlRequest = { query: s.query, variables: vars[0]!, headers: {} };
    const counted = await countStatements({ env: stack.apiEnv }, req);
    statements = { cold: counted.cold, warm: counted.warm };
  } catch (e) {
    return {
      scenario: s,
      floor: await run(floor, s, vars, stack),
      ours: { error: String(e) },
      cold: null,
      sameAnswers,
      statements,
    };
  }
  const floorFigures = await run(floor, s, vars, stack);
  const oursFigures = await run(ours, s, vars, stack);
  const coldFigures = await run(cold, s, vars, stack);
  return { scenario: s, floor: floorFigures, ours: oursFigures, cold: coldFigures, sameAnswers, statements };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const row = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(10) : pad(c, [0, 9, 8, 8, 7, 9, 10, 9][i] ?? 9))).join('  ');

function report(seed: RealisticSeed, outcomes: Outcome[], started: Date, loadBefore: number, meiliRss: number) {
  const require = createRequire(import.meta.url);
  const autocannonVersion = (require('autocannon/package.json') as { version: string }).version;
  const v = libs.versions();
  const cpu = cpus();
  const L: string[] = [''];
  L.push('Public reads on realistic government content');
  L.push(
    `  data     ${SEED_SITE.code}: ${seed.published} published items over ${seed.columns} columns, plus ${seed.drafts} drafts ` +
      `and ${seed.withdrawn} withdrawn; summaries ~${seed.bytes.summaryChars} characters, bodies ~${(seed.bytes.bodyBytes / 1024).toFixed(1)} KB ` +
      `Chinese HTML (fixed seed; seeded in ${fmt(seed.seconds, 0)} s)`,
  );
  L.push(
    `  machine  ${started.toISOString().slice(0, 10)}, ${osPlatform()} ${release()}, ${cpu.length} cores ` +
      `(${cpu[0]?.model.trim() ?? '?'}), node ${process.version}, PostgreSQL 18 and Meilisearch on the same cores ` +
      `(Meilisearch RSS ${fmt(meiliRss, 0)} MiB, idle)`,
  );
  L.push(
    `           load average ${fmt(loadBefore)} before the run` +
      (loadBefore > 0.5 ? ' — something else was busy: expect noisy figures' : ''),
  );
  L.push(
    `  stack    fastify ${v.fastify}, mercurius ${v.mercurius}, graphql ${v.graphql}, pg ${v.pg}; pool max 10 on both sides; ` +
      `autocannon ${autocannonVersion} in this process, ${settings.connections} connections, ` +
      `${settings.warmup} s warm-up + ${settings.seconds} s per target; answers checked on a sample before and after each window`,
  );
  for (const o of outcomes) {
    L.push('');
    L.push(`${o.scenario.name}: ${o.scenario.title}`);
    L.push(row(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs floor', 'CPU ms/req', 'PG ms/req']));
    const line = (name: string, f: Figures, ratio: string) =>
      row([
        name,
        fmt(f.result.rps, 0),
        fmt(f.result.p50),
        fmt(f.result.p99),
        String(f.result.errors),
        ratio,
        fmt(f.cpuServer, 3),
        fmt(f.cpuPostgres, 3),
      ]);
    L.push(line('floor', o.floor, '1.00×'));
    if ('error' in o.ours) {
      L.push(`  ours: unavailable — ${o.ours.error}`);
      continue;
    }
    const ratio = o.ours.result.rps / o.floor.result.rps;
    L.push(line('ours', o.ours, `${fmt(ratio)}×`));
    const coldRatio = o.cold ? o.cold.result.rps / o.floor.result.rps : Number.NaN;
    if (o.cold) L.push(line('ours-cold', o.cold, `${fmt(coldRatio)}×`));
    L.push(
      `  ours/floor ${fmt(ratio)}× (target ≥ ${RATIO_TARGET}×: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'} on this run; a figure, not a test); ` +
        `ours-cold (kept answers off: every request executed) ${fmt(coldRatio)}× (${coldRatio >= RATIO_TARGET ? 'met' : 'NOT met'})`,
    );
    if (o.statements) {
      const s = o.statements;
      L.push(
        `  SQL statements per request: ours ${s.warm.data + s.warm.scope} (${s.warm.data} data + ${s.warm.scope} BEGIN/set_config/COMMIT), ` +
          `first request ${s.cold.data + s.cold.scope}; floor 1`,
      );
      if (settings.verbose) for (const q of s.warm.sql) L.push(`    sql: ${q}`);
    }
    L.push(
      `  same answers as the floor (sample of ${sampleOf(o.scenario.variables(seed)).length}): ${o.sameAnswers ? 'yes' : 'NO'}; ` +
        `unchanged across the window: floor ${o.floor.stable ? 'yes' : 'NO'}, ours ${o.ours.stable ? 'yes' : 'NO'}, ours-cold ${o.cold?.stable ? 'yes' : 'NO'}`,
    );
    for (const [n, f] of [
      ['floor', o.floor],
      ['ours', o.ours],
      ['ours-cold', o.cold],
    ] as const) {
      if (f?.result.errors) L.push(`  ${n} errors: ${JSON.stringify(f.result.detail)}`);
    }
  }
  L.push('');
  console.log(L.join('\n'));
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  say(`starting PostgreSQL and Meilisearch in a temp dir; seeding ${settings.items} published items`);
  const counts = {
    published: settings.items,
    columns: settings.columns,
    drafts: Math.round(settings.items / 20),
    withdrawn: Math.round(settings.items / 50),
  };
  const stack = await startStack(say, (c, su) => seedRealistic(c, su, counts, say));
  cleanups.push(stack.stop);
  const seed = stack.seeded;
  const floorConfig: FloorConfig = { ownerUrl: stack.ownerUrl, poolMax: 10 };
  const floor = await spawnTarget('floor', new URL('./floor.ts', import.meta.url), floorConfig);
  cleanups.push(floor.stop);
  const oursConfig: OursConfig = { env: stack.apiEnv };
  const profile = settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProf] : [];
  const ours = await spawnTarget('ours', new URL('./ours.ts', import.meta.url), oursConfig, 60_000, profile);
  cleanups.push(ours.stop);
  // The same API with its kept answers off: what a request costs when nobody asked for that page before.
  const coldConfig: OursConfig = { env: { ...stack.apiEnv, PUBLIC_ANSWERS_MB: '0' } };
  const cold = await spawnTarget('ours-cold', new URL('./ours.ts', import.meta.url), coldConfig, 60_000, profile);
  cleanups.push(cold.stop);
  const outcomes: Outcome[] = [];
  for (const s of SCENARIOS) {
    if (settings.only.length && !settings.only.includes(s.name)) continue;
    outcomes.push(await runScenario(s, seed, stack, floor, ours, cold));
  }
  report(seed, outcomes, started, loadBefore, rssMiB(stack.meiliPid()));
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

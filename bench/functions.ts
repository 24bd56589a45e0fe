/**
 * Per-call PostgreSQL cost of the public read port's definer functions, old definitions against the current ones
 * (ADR 0030, "Second round"). Not a load test: one app-role connection calls each statement the port sends, N
 * times in a row, and reads the CPU its backend used (/proc, user + system) and pg_stat_statements' mean time.
 * CPU time of the one backend is what the other engineers' load on the shared machine disturbs least.
 *
 * "old" are the definitions of the last migration before 0033 that creates each function (extracted from the
 * migration files), "new" what the migrations leave now; the two are swapped in place (CREATE OR REPLACE, same
 * signatures) in alternating rounds, on the same data, so both see the same caches and the same load.
 *
 *   BENCH_ITEMS=20000 BENCH_CALLS=2000 BENCH_ROUNDS=3 node bench/functions.ts
 */
import { readFileSync } from 'node:fs';
import { migrationsList } from '../packages/adapters/src/db/migrations/index.ts';
import { withClient } from '../packages/testing/src/index.ts';
import { libs } from './lib/deps.ts';
import { intEnv } from './lib/env.ts';
import { SEED_SITE, seedRealistic } from './lib/realistic-seed.ts';
import { startStack } from './lib/stack.ts';

process.env.BENCH_PG_STATEMENTS = '1';
const items = intEnv('BENCH_ITEMS', 20_000, 1_000, 1_000_000);
const calls = intEnv('BENCH_CALLS', 2_000, 100, 100_000);
const rounds = intEnv('BENCH_ROUNDS', 3, 1, 20);
const say = (m: string) => console.log(`[functions] ${m}`);

/** The functions 0033 redefines; "old" = their last definition in an earlier migration. The other statements
 * (zq_public_items, zq_public_route, zq_public_links) run unchanged in both phases: a check on the noise. */
const NAMES = ['zq_public_item', 'zq_public_versions', 'zq_public_items_under'];

function oldDefinitions(): string {
  const out = new Map<string, string>();
  for (const m of migrationsList) {
    if (!('name' in m) || m.name >= '0033' || m.name === '0003_workday_seed') continue;
    const sql = readFileSync(new URL(`../packages/adapters/src/db/migrations/${m.name}.sql`, import.meta.url), 'utf8');
    for (const f of sql.matchAll(/create (?:or replace )?function (zq_public_\w+)\([\s\S]*?\n\$\$;/g)) {
      if (NAMES.includes(f[1]!))
        out.set(f[1]!, f[0].replace(/^create (or replace )?function/, 'create or replace function'));
    }
  }
  return [...out.values()].join('\n');
}

function backendCpu(pid: number): number {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const stack = await startStack(say, (c, su) =>
  seedRealistic(
    c,
    su,
    { published: items, columns: 50, drafts: Math.floor(items / 20), withdrawn: Math.floor(items / 50) },
    say,
  ),
);
try {
  const seed = stack.seeded;
  const oldSql = oldDefinitions();
  const newSql = await withClient(stack.ownerUrl, async (c) => {
    const r = await c.query<{ def: string }>(
      `select string_agg(pg_get_functiondef(p.oid), E';\n') || ';' as def from pg_proc p
        where p.proname = any ($1) and p.pronamespace = 'public'::regnamespace`,
      [NAMES],
    );
    return r.rows[0]!.def;
  });
  const { Pool } = await libs.pg();
  const col = (i: number) => seed.columnList[i % seed.columnList.length]!;
  const path = (i: number) => seed.sampleItemPaths[i % seed.sampleItemPaths.length]!;
  const idOf = (i: number) => seed.sampleItemIds[i % seed.sampleItemIds.length]!;
  const site = seed.siteId;
  const tree = await withClient(stack.ownerUrl, async (c) =>
    String((await c.query<{ v: string }>('select tree_version as v from site where id = $1', [site])).rows[0]!.v),
  );
  const V = '(zq_public_versions(array[$1::uuid]))[1]';
  // The texts public-reads.ts sends (named prepared statements), with the arguments of a bench request.
  const cases: [string, string, (i: number) => unknown[]][] = [
    [
      'items',
      'select * from zq_public_items($1, $2, $3, $4, $5, $6)',
      (i) => [site, col(i).path, null, 21, null, null],
    ],
    [
      'items_seen',
      `select v.zq_version, t.* from (select ${V} as zq_version) v left join lateral zq_public_items($1, $2, $3, $4, $5, $6) t on true`,
      (i) => [site, col(i).path, null, 21, null, null],
    ],
    [
      'items_seen_fenced',
      `select v.zq_version, t.* from (select ${V} as zq_version offset 0) v left join lateral zq_public_items($1, $2, $3, $4, $5, $6) t on true`,
      (i) => [site, col(i).path, null, 21, null, null],
    ],
    ['items_home', 'select * from zq_public_items($1, $2, $3, $4, $5, $6)', () => [site, null, null, 21, null, null]],
    [
      'under_column',
      'select * from zq_public_items_under($1, $2, $3, $4, $5, $6)',
      (i) => [site, col(i).path, null, 21, null, null],
    ],
    [
      'under_channel',
      'select * from zq_public_items_under($1, $2, $3, $4, $5, $6)',
      () => [site, `/${SEED_SITE.channel}`, null, 21, null, null],
    ],
    ['item', 'select * from zq_public_item($1)', (i) => [idOf(i)]],
    [
      'item_seen',
      `select t.*, (zq_public_versions(array[t.site_id]))[1] as zq_version from zq_public_item($1) t`,
      (i) => [idOf(i)],
    ],
    [
      'route',
      'select * from zq_public_route($1, $2, $3, $4)',
      (i) => [site, path(i).slice(0, path(i).lastIndexOf('/')), path(i).slice(path(i).lastIndexOf('/') + 1, -5), tree],
    ],
    ['versions', 'select zq_public_versions($1) as v', () => [[site]]],
    ['links', 'select * from zq_public_links($1::uuid[])', (i) => [[idOf(i), idOf(i + 7)]]],
  ];
  const results = new Map<string, { cpu: number[]; pgss: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const [label, sql] of [
      ['old', oldSql],
      ['new', newSql],
    ] as const) {
      await withClient(stack.ownerUrl, (c) => c.query(sql));
      const pool = new Pool({ connectionString: stack.appUrl, max: 1 });
      const pid = Number((await pool.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p);
      for (const [name, text, args] of cases) {
        for (let i = 0; i < 5; i++) await pool.query({ name, text, values: args(i) }); // plans cached, pages warm
        await withClient(stack.superuserUrl, (c) => c.query('select pg_stat_statements_reset()'));
        const before = backendCpu(pid);
        const wall = performance.now();
        // A channel's page costs the whole channel before 0033 (hundreds of ms): fewer calls of it.
        const n =
          name === 'under_channel' ? Math.ceil(calls / 50) : name === 'under_column' ? Math.ceil(calls / 5) : calls;
        for (let i = 0; i < n; i++) await pool.query({ name, text, values: args(i) });
        const cpu = ((backendCpu(pid) - before) * 1000) / n;
        if (process.env.BENCH_VERBOSE === '1')
          say(`${name} ${label}: cpu ${cpu.toFixed(3)} wall ${((performance.now() - wall) / n).toFixed(3)} ms/call`);
        const mean = await withClient(stack.superuserUrl, async (c) => {
          const r = await c.query<{ m: number }>(
            'select mean_exec_time as m from pg_stat_statements where toplevel and query = $1',
            [text],
          );
          return Number(r.rows[0]?.m ?? Number.NaN);
        });
        const key = `${name} ${label}`;
        const slot = results.get(key) ?? { cpu: [], pgss: [] };
        slot.cpu.push(cpu);
        slot.pgss.push(mean);
        results.set(key, slot);
      }
      await pool.end();
    }
    say(`round ${round + 1}/${rounds} done`);
  }
  if (process.env.BENCH_KEEP === '1') {
    say(
      `owner ${stack.ownerUrl}\napp ${stack.appUrl}\nsuperuser ${stack.superuserUrl}\nold definitions: /tmp/zq-old.sql`,
    );
    (await import('node:fs')).writeFileSync('/tmp/zq-old.sql', oldSql);
    (await import('node:fs')).writeFileSync('/tmp/zq-new.sql', newSql);
    await new Promise((r) => process.once('SIGINT', r));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  say(
    `${calls} calls per statement per round, ${rounds} rounds; medians, ms per call (backend CPU | pg_stat_statements)`,
  );
  for (const [name] of cases) {
    const o = results.get(`${name} old`)!;
    const n = results.get(`${name} new`)!;
    say(
      `${name.padEnd(12)} old ${med(o.cpu).toFixed(3)} | ${med(o.pgss).toFixed(3)}   new ${med(n.cpu).toFixed(3)} | ${med(n.pgss).toFixed(3)}   cpu ${(med(n.cpu) / med(o.cpu)).toFixed(2)}×`,
    );
  }
} finally {
  await stack.stop();
}

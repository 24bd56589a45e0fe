/**
 * Import benchmark (issue 11): `pnpm bench:import`.
 *   BENCH_IMPORT_ITEMS   items per export (default 100,000; try 1,000 first on a shared machine)
 *   BENCH_IMPORT_BYTES   instead of a count, the size of each export (`1g`, `300m`): for the peak-RSS figure
 *   BENCH_IMPORT_SOURCES `wxr,dedecms` (default both)
 *   BENCH_IMPORT_PROF    a folder: the importing process writes a V8 CPU profile there (--cpu-prof)
 *   BENCH_IMPORT_NODE_FLAGS  the importing process's V8/Node flags instead of the worker's (experiments only)
 *   BENCH_IMPORT_ALLOCPROF   a file: V8's sampling heap profile of the importing thread (every allocation; with
 *                        BENCH_IMPORT_ALLOCPROF_PROMOTED=1 only what outlived the young generation's collections)
 *   BENCH_PG_STATEMENTS  1: PostgreSQL's costliest statements of each import (pg_stat_statements), printed after it
 *   BENCH_PG_EXPLAIN     <ms>: PostgreSQL logs the analysed plan of every statement slower than that (auto_explain)
 *                        to BENCH_PG_LOG (default: zq-bench-postgres.log in the temp dir)
 *   BENCH_PG_DURATION    <ms>: PostgreSQL logs every parse, bind and execute step slower than that, each apart, to
 *                        the same log (a bind runs the parameters' input functions: a body's JSON parse is there)
 *
 * For each source:
 * 1. A generated export: a WordPress WXR (`generateWxr`) or a DedeCMS mysqldump in GBK (`generateDedecms`).
 * 2. Ours: the real path as the worker runs it (startImport with commit, then runImport: plan, stage, apply in
 *    batches), in this process, on the app role under row-level security, into 米易县 /zwdt/xzdt (WXR) or 攀枝花市 /zwdt/qxdt (DedeCMS).
 *    Peak RSS of this process over the import: the kernel's high-water mark (VmHWM, reset through
 *    /proc/self/clear_refs before the import) and VmRSS sampled from /proc/self/status every 50 ms.
 * 3. The floor: the same items (read once beforehand by the same adapter, untimed, into a JSON Lines file) written
 *    as the same rows into the same tables — an item with every column the import sets, its first revision with the
 *    same content fields, its placement — by one multi-row INSERT statement per 500 items as the schema owner: no
 *    RLS, no staging, no sanitiser, no parsing of the export. Timed: reading that file + the INSERTs.
 *
 * Printed per source: items/s both ways and their ratio (issue: ≥ 0.5×), the export's size and the peak RSS
 * (issue: ≤ 300 MB for a 1 GB export, flat in the export's size).
 */

import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateDedecms, generateWxr, type LegacyItem, openSource } from '../packages/importers/src/index.ts';
import { withClient } from '../packages/testing/src/index.ts';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../services/worker/src/node-flags.ts';
import { postgresCpu, postmasterPid } from './lib/cpu.ts';
import type { ImportDone, ImportJob } from './lib/import-child.ts';
import { lifetime } from './lib/lifetime.ts';
import { startStack } from './lib/stack.ts';

const say = (m: string) => console.log(`[bench:import] ${m}`);
const ITEMS = Number(process.env.BENCH_IMPORT_ITEMS ?? 100_000);
const BYTES = parseBytes(process.env.BENCH_IMPORT_BYTES);
const SOURCES = (process.env.BENCH_IMPORT_SOURCES ?? 'wxr,dedecms').split(',').map((s) => s.trim()) as Kind[];
const stop = lifetime(say);
/** The importing process's flags: the worker's, unless an experiment names others (BENCH_IMPORT_NODE_FLAGS). */
const NODE_FLAGS = process.env.BENCH_IMPORT_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? WORKER_NODE_FLAGS;
type Kind = 'wxr' | 'dedecms';
// Each source into its own site: two legacy sites' numeric ids give the same slugs in a matched column.
const INTO: Record<Kind, { site: string; into: string }> = {
  wxr: { site: 'miyi', into: '/zwdt/xzdt' },
  dedecms: { site: 'panzhihua', into: '/zwdt/qxdt' },
};

function parseBytes(v: string | undefined): number | null {
  if (!v) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) throw new Error(`BENCH_IMPORT_BYTES: ${v}`);
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']);
}

/** VmRSS / VmHWM of a process in bytes (/proc/<pid>/status); zeros once it has gone. */
function procMem(pid: number): { rss: number; hwm: number } {
  let s = '';
  try {
    s = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, hwm: 0 };
  }
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
async function sizeOf(paths: string[]) {
  let n = 0;
  for (const f of paths) n += (await stat(f)).size;
  return n;
}

/** Writes an export of `items` items; returns the paths to import and their size. */
async function generate(kind: Kind, dir: string, items: number): Promise<{ paths: string[]; bytes: number }> {
  await mkdir(dir, { recursive: true });
  if (kind === 'wxr') {
    const path = join(dir, 'export.xml');
    await generateWxr({ path, items, columns: 40, seed: 11 });
    return { paths: [path], bytes: await sizeOf([path]) };
  }
  const gen = await generateDedecms({ outDir: dir, items, style: 'mysqldump', encoding: 'gbk', seed: 11 });
  return { paths: gen.files, bytes: await sizeOf(gen.files) };
}

/** The item count whose export is about `bytes` (from a 500-item sample). */
async function itemsFor(kind: Kind, dir: string, bytes: number): Promise<number> {
  const sample = await generate(kind, join(dir, `sample-${kind}`), 500);
  await rm(join(dir, `sample-${kind}`), { recursive: true, force: true });
  return Math.max(500, Math.round((bytes / sample.bytes) * 500));
}

/** The floor's input: the published items as the adapter reads them, one JSON line each (untimed). */
async function extract(paths: string[], out: string): Promise<number> {
  const source = await openSource(paths);
  const w = createWriteStream(out);
  let n = 0;
  for await (const ev of source.read()) {
    if (ev.type !== 'item' || ev.item.status !== 'published') continue;
    const it = ev.item;
    n += 1;
    const line = `${JSON.stringify(it)}\n`;
    if (!w.write(line)) await once(w, 'drain');
  }
  await new Promise<void>((r, j) => w.end((e?: Error | null) => (e ? j(e) : r())));
  return n;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'zq-bench-import-'));
  stop.cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const stack = await startStack(say);
  stop.cleanups.push(stack.stop);
  const ourEnv = { ...stack.apiEnv, MEDIA_DIR: join(dir, 'media'), MEDIA_TMP_DIR: join(dir, 'tmp'), IMPORT_DIR: dir };
  say(
    `importing process: MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? WORKER_ENV.MALLOC_ARENA_MAX} node ${NODE_FLAGS.join(' ')}`,
  );
  const postmaster = postmasterPid(stack.pgDataDir);
  const results: string[] = [];

  for (const kind of SOURCES) {
    const items = BYTES ? await itemsFor(kind, dir, BYTES) : ITEMS;
    say(`${kind}: generating an export of ${items.toLocaleString()} items…`);
    const exp = await generate(kind, join(dir, kind), items);
    say(`${kind}: ${(exp.bytes / 1e6).toFixed(1)} MB in ${exp.paths.length} file(s)`);
    const rows = join(dir, `${kind}.floor.jsonl`);
    const published = await extract(exp.paths, rows);

    // ——— ours: in a child process with the worker's heap flags, as the worker's run-import job runs it ———
    const child = fork(new URL('./lib/import-child.ts', import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The worker's environment (two malloc arenas); a value set for the bench wins (experiments).
      env: { ...WORKER_ENV, ...process.env },
      execArgv: [
        ...process.execArgv,
        ...NODE_FLAGS,
        '--expose-gc',
        ...(process.env.BENCH_IMPORT_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_IMPORT_PROF}`] : []),
      ],
    });
    const idle = procMem(child.pid!).rss;
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, procMem(child.pid!).rss);
    }, 50);
    const job: ImportJob = { env: ourEnv, site: INTO[kind].site, paths: exp.paths, into: INTO[kind].into };
    await quiet(stack.superuserUrl);
    if (process.env.BENCH_PG_STATEMENTS)
      await withClient(stack.superuserUrl, (c) => c.query('select pg_stat_statements_reset()'));
    const pgBefore = postgresCpu(postmaster);
    child.send(job);
    const [done] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the importing process exited (${code})`);
      }),
    ])) as [ImportDone];
    const pgOurs = postgresCpu(postmaster) - pgBefore;
    await once(child, 'exit');
    clearInterval(sampler);
    peak = Math.max(peak, done.hwm);
    const { state, stageMs, ms: oursMs } = done;
    const run = { id: done.runId };
    const counts = await withClient(
      stack.ownerUrl,
      async (c) => (await c.query('select counts from import_run where id = $1', [run.id])).rows[0],
    );
    if (process.env.BENCH_PG_STATEMENTS) await topStatements(stack.superuserUrl, kind);
    say(
      `${kind} ours: ${state}, plan+stage ${(stageMs / 1000).toFixed(1)} s, plan+stage+apply ${(oursMs / 1000).toFixed(1)} s ${JSON.stringify(counts?.counts ?? {})}`,
    );

    // ——— the floor: the same items, the same tables, plain multi-row INSERTs as the owner ———
    await quiet(stack.superuserUrl);
    const cpuFloor0 = process.cpuUsage();
    // PostgreSQL's CPU read while the floor's connection is still open: a backend that has exited but not yet been
    // reaped by the postmaster would be counted on neither side.
    if (process.env.BENCH_PG_STATEMENTS)
      await withClient(stack.superuserUrl, (c) => c.query('select pg_stat_statements_reset()'));
    const { floorMs, pgFloor } = await withClient(stack.ownerUrl, async (c) => {
      const pg0 = postgresCpu(postmaster);
      const ms = await floor(c, rows, kind);
      return { floorMs: ms, pgFloor: postgresCpu(postmaster) - pg0 };
    });
    const cpuFloor = process.cpuUsage(cpuFloor0);
    if (process.env.BENCH_PG_STATEMENTS) await topStatements(stack.superuserUrl, `${kind} floor`);
    const oursRate = published / (oursMs / 1000);
    const floorRate = published / (floorMs / 1000);
    // CPU per published item, importing process + PostgreSQL (ms): on a machine shared with other work the wall
    // clock ratio moves with the load; the CPU each side spends per item does much less.
    const oursCpu = ((done.cpuS + pgOurs) * 1000) / published;
    const floorCpu = (((cpuFloor.user + cpuFloor.system) / 1e6 + pgFloor) * 1000) / published;
    say(
      `${kind} CPU per item: ours ${oursCpu.toFixed(2)} ms (importing process ${((done.cpuS * 1000) / published).toFixed(2)} + PostgreSQL ${((pgOurs * 1000) / published).toFixed(2)}), floor ${floorCpu.toFixed(2)} ms (${((cpuFloor.user + cpuFloor.system) / 1e3 / published).toFixed(2)} + ${((pgFloor * 1000) / published).toFixed(2)})`,
    );
    say(
      `${kind} importing process by thread (CPU s): ${Object.entries(done.threads)
        .filter(([, v]) => Math.abs(v) >= 0.05)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    results.push(
      `| ${kind} | ${items.toLocaleString()} (${published.toLocaleString()} published) | ${(exp.bytes / 1e6).toFixed(1)} MB | ${oursRate.toFixed(0)} | ${floorRate.toFixed(0)} | ${(oursRate / floorRate).toFixed(2)}× | ${oursCpu.toFixed(2)} / ${floorCpu.toFixed(2)} ms (${(floorCpu / oursCpu).toFixed(2)}×) | ${(peak / 1e6).toFixed(0)} MB (retained heap after GC ${(done.heapUsed / 1e6).toFixed(0)} MB) |`,
    );
    await rm(join(dir, kind), { recursive: true, force: true });
    await rm(rows, { force: true });
  }
  say('');
  say(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  say(
    '| source | items | export | ours items/s (plan+stage+apply) | floor items/s (raw INSERT) | ratio (≥ 0.5×) | CPU per item ours / floor (floor ÷ ours) | peak RSS (≤ 300 MB) |',
  );
  say('|---|---|---|---|---|---|---|---|');
  for (const r of results) say(r);
}

/**
 * PostgreSQL with nothing left to do before a timed side starts (untimed): the other side's rows vacuumed and
 * analysed and its dirty pages written. Otherwise autovacuum and the checkpointer work through the previous import's
 * hundreds of thousands of rows during the next side's run, and their CPU is counted against it (PostgreSQL's CPU is
 * read for the whole server): the floor, which runs after ours, paid for our staging tables.
 */
async function quiet(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query('vacuum (analyze)');
    await c.query('checkpoint');
  });
}

/** PostgreSQL's costliest statements over the import (BENCH_PG_STATEMENTS=1): where its CPU per item goes. */
async function topStatements(url: string, kind: string) {
  const { rows } = await withClient(url, (c) =>
    c.query(
      `select calls, round(total_exec_time)::int as ms, round((total_exec_time / calls)::numeric, 2) as per_call, rows,
              regexp_replace(left(query, 160), '\\s+', ' ', 'g') as q
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit 15`,
    ),
  );
  say(`${kind}: PostgreSQL's costliest statements over the import (ms in all, calls, ms per call, rows):`);
  for (const r of rows) say(`  ${r.ms} ms  ${r.calls}×  ${r.per_call} ms  ${r.rows} rows  ${r.q}`);
}

type Client = Parameters<Parameters<typeof withClient>[1]>[0];
/** A legacy date as the import keeps it (`original_published_at`, 成文日期): parsed, or null. */
const when = (v: string | null | undefined) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);
const day = (v: string | null | undefined) => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);
/**
 * The floor writes the same rows as the import (issue 11: "a raw batched INSERT/COPY of the same rows into the same
 * tables"): every column the import sets on an item (its provenance: source system, scope and id, content hash, old
 * URLs, legacy publication date, 索引号, 成文日期), and a first revision whose content has the same fields — from the
 * adapter's record as it is, with no sanitising, no link rewriting, no staging and no row-level security.
 */
async function floor(c: Client, rows: string, kind: Kind): Promise<number> {
  const { rows: found } = await c.query(
    "select c.id as column_id, c.site_id from site_column c join site s on s.id = c.site_id where s.code = 'edu' and c.type = 'LIST' order by c.path limit 1",
  );
  const { column_id: columnId, site_id: siteId } = found[0];
  const system = kind === 'wxr' ? 'wordpress' : 'dedecms';
  const start = performance.now();
  let batch: { id: string; rev: string; hash: string; item: LegacyItem }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const now = new Date();
    await c.query('begin');
    const ip: unknown[] = [];
    const iv = batch.map((b, i) => {
      const it = b.item;
      const g = it.govMeta ?? {};
      ip.push(
        b.id,
        siteId,
        columnId,
        'ARTICLE',
        'DRAFT',
        'zh-CN',
        b.id,
        `f-${kind}-${it.sourceId}`,
        it.title,
        day(g.issuedAt),
        g.indexNumber ? `f-${g.indexNumber}` : null,
        now,
        now,
        when(it.publishedAt),
        system,
        it.sourceId,
        b.hash,
        'floor',
        it.oldUrls,
        `floor-${kind}`,
        b.rev,
      );
      const k = i * 21;
      return `(${Array.from({ length: 21 }, (_, j) => `$${k + j + 1}`).join(', ')}, 0, 1)`;
    });
    const rp: unknown[] = [];
    const rv = batch.map((b, i) => {
      const it = b.item;
      const g = it.govMeta ?? {};
      const content = JSON.stringify({
        title: it.title,
        subtitle: it.subtitle ?? null,
        summary: it.summary ?? null,
        body: it.bodyHtml,
        source: it.source ?? null,
        author: it.author ?? null,
        keywords: [...(it.keywords ?? []), ...(it.tags ?? [])],
        occurredAt: null,
        endedAt: null,
        importantLivelihood: null,
        attachments: [],
        images: [],
        docNumber: g.docNumber ?? null,
        issuingBody: g.issuingBody ?? null,
        writtenAt: day(g.writtenAt),
        issuedAt: day(g.issuedAt),
        validity: null,
        supersededById: null,
        topic: g.topic ?? null,
        slug: `f-${kind}-${it.sourceId}`,
        alsoIn: [],
      });
      rp.push(
        b.rev,
        b.id,
        siteId,
        1,
        content,
        it.bodyHtml,
        createHash('sha256').update(content).digest('hex'),
        now,
        `imported from ${system} ${it.sourceId}`,
      );
      const k = ip.length + i * 9;
      return `(${Array.from({ length: 9 }, (_, j) => `$${k + j + 1}`).join(', ')})`;
    });
    const pp: unknown[] = [];
    const pv = batch.map((b, i) => {
      pp.push(b.id, columnId, siteId, siteId, now);
      const k = ip.length + rp.length + i * 5;
      return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, true, false, $${k + 5})`;
    });
    // One statement: an item's head revision and the revision's item refer to each other, and a statement's
    // foreign keys are checked at its end (as the import writes them; no second pass to link the head).
    await c.query(
      `with i as (
         insert into item (id, site_id, column_id, kind, state, locale, translation_group_id, slug, title, issued_at,
                           index_number, created_at, updated_at, original_published_at, source_system, source_id,
                           source_hash, legacy_site_name, old_urls, source_scope, head_revision_id, review_cycle,
                           head_number)
         values ${iv.join(',')}),
       r as (
         insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, created_at, note)
         values ${rv.join(',')})
       insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, created_at)
       values ${pv.join(',')}`,
      [...ip, ...rp, ...pp],
    );
    await c.query('commit');
    batch = [];
  };
  for await (const line of createInterface({ input: createReadStream(rows) })) {
    if (!line) continue;
    const hash = createHash('sha256').update(line).digest('hex');
    batch.push({ id: randomUUID(), rev: randomUUID(), hash, item: JSON.parse(line) });
    if (batch.length >= 500) await flush();
  }
  await flush();
  return performance.now() - start;
}

try {
  await main();
} finally {
  await stop.stopAll();
}

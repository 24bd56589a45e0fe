/**
 * Import benchmark (issue 11): `pnpm bench:import` (BENCH_IMPORT_ITEMS, default 100,000; try 2,000 first).
 *
 * 1. A bundle of BENCH_IMPORT_ITEMS realistic items (packages/importers generateBundle: 栏目, 文号, legacy dates,
 *    old URLs, ~600-character bodies) is written to a temp dir.
 * 2. Ours: the real import use cases in this process, on the app role under row-level security — plan (timed
 *    apart), then stage + apply in batches of 200 (each batch one transaction, bodies sanitised, revisions
 *    hashed, audit, staging table) into 米易县 under /zwdt/xzdt. RSS is sampled every 50 ms.
 * 3. The floor: the same rows read from the same bundle and written into the same tables (item, item_revision,
 *    item_placement) by multi-row INSERTs of 500 rows as the schema owner: no RLS, no staging, no sanitiser.
 *
 * Printed: items/s both ways and their ratio (issue: ≥ 0.5×), peak RSS above the process's idle RSS and the
 * bundle's size (issue: ≤ 300 MB for a 1 GB export, flat in the export's size).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createPlatform, loadConfig } from '../packages/adapters/src/index.ts';
import { commitImport, runImport, startImport } from '../packages/core/src/index.ts';
import { generateBundle } from '../packages/importers/src/index.ts';
import { withClient } from '../packages/testing/src/index.ts';
import { lifetime } from './lib/lifetime.ts';
import { startStack } from './lib/stack.ts';

const say = (m: string) => console.log(`[bench:import] ${m}`);
// The ORM's query log colours its lines.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const ITEMS = Number(process.env.BENCH_IMPORT_ITEMS ?? 100_000);
const stop = lifetime(say);

async function dirSize(dir: string, names: string[]) {
  let n = 0;
  for (const f of names) n += (await stat(join(dir, f))).size;
  return n;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'zq-bench-import-'));
  stop.cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const stack = await startStack(say);
  stop.cleanups.push(stack.stop);
  const bundle = join(dir, 'bundle');
  say(`generating a bundle of ${ITEMS.toLocaleString()} items…`);
  await generateBundle(bundle, { items: ITEMS });
  const bytes = await dirSize(bundle, ['columns.jsonl', 'items.jsonl']);
  say(`bundle: ${(bytes / 1e6).toFixed(1)} MB`);

  // ——— ours ———
  const statements = new Map<string, number>();
  const platform = await createPlatform(
    loadConfig({ ...stack.apiEnv, MEDIA_DIR: join(dir, 'media'), MEDIA_TMP_DIR: join(dir, 'tmp'), IMPORT_DIR: dir }),
    process.env.BENCH_IMPORT_SQL
      ? {
          onQuery: (sql) => {
            const k = sql.replace(ANSI, '').slice(8, 60);
            const ms = Number(/took (\d+) ms/.exec(sql)?.[1] ?? 0);
            statements.set(k, (statements.get(k) ?? 0) + ms);
          },
        }
      : {},
  );
  stop.cleanups.push(() => platform.close());
  const ctx = platform.systemCtx('bench:import');
  await ctx.directory.fresh();
  global.gc?.();
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const run = await startImport(
    ctx,
    { site: 'miyi', source: [bundle], into: '/zwdt/xzdt', commit: false },
    { enqueue: false },
  );
  let t0 = performance.now();
  await runImport(ctx, run.id);
  const planMs = performance.now() - t0;
  await commitImport({ ...ctx, jobs: undefined } as typeof ctx, run.id);
  t0 = performance.now();
  let last = 0;
  let staged = 0;
  const state = await runImport(ctx, run.id, {
    onProgress: (p) => {
      if (p.state === 'STAGING') staged = performance.now() - t0;
      if (p.applied - last >= Math.max(1000, ITEMS / 10)) {
        last = p.applied;
        say(`  applied ${p.applied.toLocaleString()} / ${p.total?.toLocaleString()}`);
      }
    },
  });
  const oursMs = performance.now() - t0;
  clearInterval(sampler);
  const counts = await withClient(
    stack.ownerUrl,
    async (c) => (await c.query('select counts from import_run where id = $1', [run.id])).rows[0],
  );
  for (const [sql, k] of [...statements].sort((a, b) => b[1] - a[1]).slice(0, 25))
    say(`  ${String(k).padStart(6)} ${sql}`);
  say(
    `ours: ${state}, plan ${(planMs / 1000).toFixed(1)} s, stage ${(staged / 1000).toFixed(1)} s, stage+apply ${(oursMs / 1000).toFixed(1)} s ${JSON.stringify(counts?.counts ?? {})}`,
  );

  // ——— the floor: the same rows, the same tables, plain multi-row INSERTs as the owner ———
  const floorMs = await withClient(stack.ownerUrl, async (c) => {
    const { rows } = await c.query(
      "select c.id as column_id, c.site_id from site_column c join site s on s.id = c.site_id where s.code = 'edu' and c.type = 'LIST' order by c.path limit 1",
    );
    const { column_id: columnId, site_id: siteId } = rows[0];
    const start = performance.now();
    let batch: { id: string; rev: string; item: Record<string, string> }[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const now = new Date();
      await c.query('begin');
      const ip: unknown[] = [];
      const iv = batch.map((b, i) => {
        ip.push(b.id, siteId, columnId, 'ARTICLE', 'DRAFT', b.id, `f${b.item.sourceId}`, b.item.title, now, now);
        const k = i * 10;
        return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8}, $${k + 9}, $${k + 10})`;
      });
      await c.query(
        `insert into item (id, site_id, column_id, kind, state, translation_group_id, slug, title, created_at, updated_at) values ${iv.join(',')}`,
        ip,
      );
      const rp: unknown[] = [];
      const rv = batch.map((b, i) => {
        const content = JSON.stringify({
          title: b.item.title,
          body: b.item.bodyHtml,
          source: b.item.source,
          author: b.item.author,
        });
        rp.push(
          b.rev,
          b.id,
          siteId,
          1,
          content,
          b.item.bodyHtml,
          createHash('sha256').update(content).digest('hex'),
          now,
        );
        const k = i * 8;
        return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8})`;
      });
      await c.query(
        `insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, created_at) values ${rv.join(',')}`,
        rp,
      );
      const pp: unknown[] = [];
      const pv = batch.map((b, i) => {
        pp.push(b.id, columnId, siteId, siteId, now);
        const k = i * 5;
        return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, true, false, $${k + 5})`;
      });
      await c.query(
        `insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, created_at) values ${pv.join(',')}`,
        pp,
      );
      await c.query(
        `update item set head_revision_id = r.id, head_number = 1 from item_revision r where r.item_id = item.id and item.id = any($1)`,
        [batch.map((b) => b.id)],
      );
      await c.query('commit');
      batch = [];
    };
    for await (const line of createInterface({ input: createReadStream(join(bundle, 'items.jsonl')) })) {
      if (!line) continue;
      batch.push({ id: randomUUID(), rev: randomUUID(), item: JSON.parse(line) });
      if (batch.length >= 500) await flush();
    }
    await flush();
    return performance.now() - start;
  });
  const oursRate = ITEMS / (oursMs / 1000);
  const floorRate = ITEMS / (floorMs / 1000);
  say('');
  say(`items: ${ITEMS.toLocaleString()}   bundle: ${(bytes / 1e6).toFixed(1)} MB`);
  say(
    `ours  (stage + apply): ${oursRate.toFixed(0)} items/s   (plan, a separate dry run: ${(ITEMS / (planMs / 1000)).toFixed(0)} items/s)`,
  );
  say(`floor (raw INSERT):    ${floorRate.toFixed(0)} items/s`);
  say(`ratio ours/floor:      ${(oursRate / floorRate).toFixed(2)}×   (issue 11: ≥ 0.5×)`);
  say(
    `peak RSS: ${(peak / 1e6).toFixed(0)} MB (idle ${(idle / 1e6).toFixed(0)} MB, +${((peak - idle) / 1e6).toFixed(0)} MB while importing)`,
  );
}

try {
  await main();
} finally {
  await stop.stopAll();
}

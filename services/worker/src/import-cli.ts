/**
 * `zhanqun import` (issue 11): the dry-run plan by default, `--commit` to run it here with a progress bar on
 * stderr, `import:resume` to carry on a run after a crash, `import:status` to print a run. Signing is done by
 * people, through GraphQL (`signImportRun`, docs/import.md), never by the operator's command.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '@zhanqun/adapters';
import {
  AppError,
  type Ctx,
  type ImportPlan,
  type ImportRun,
  importRun,
  planImport,
  runImport,
  startImport,
} from '@zhanqun/core';

export type Out = { log: (line: string) => void; error: (line: string) => void };
type WithSystem = <T>(config: Config, name: string, fn: (ctx: Ctx) => Promise<T>) => Promise<T>;

/** Exit codes of the import commands (documented in docs/import.md). */
export const IMPORT_EXIT = { ok: 0, refused: 1, usage: 2, runFailed: 3 } as const;
/** Items per applied transaction at most: a batch's memory, and its statement's 65,535 bound parameters. */
const MAX_BATCH_SIZE = 2000;

const options = {
  site: { type: 'string' },
  into: { type: 'string' },
  map: { type: 'string' },
  files: { type: 'string' },
  system: { type: 'string' },
  label: { type: 'string' },
  'base-url': { type: 'string', multiple: true },
  commit: { type: 'boolean' },
  'batch-size': { type: 'string' },
} as const;

function readMap(path: string | undefined): Record<string, string> | undefined {
  if (!path) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AppError('INVALID_INPUT', `--map ${path}: ${(e as Error).message}`, { field: 'map' });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AppError(
      'INVALID_INPUT',
      '--map must be a JSON object: legacy column id or name → column path or "create"',
      {
        field: 'map',
      },
    );
  return parsed as Record<string, string>;
}

const n = (v: number) => v.toLocaleString('en-US');

/** The plan, readably: what would be created, mapped, skipped, missing. */
export function printPlan(plan: ImportPlan, out: Out): void {
  const c = plan.counts;
  out.log(
    `Source: ${plan.system}${plan.siteName ? ` — ${plan.siteName}` : ''}${plan.baseUrl ? ` (${plan.baseUrl})` : ''}`,
  );
  out.log(`Encodings: ${plan.encodings.map((e) => `${e.where} ${e.encoding} (${e.how})`).join(', ') || '—'}`);
  out.log(`Records: ${n(c.columns)} columns, ${n(c.items)} items, ${n(c.files)} files listed`);
  out.log(
    `To import: ${n(c.toImport)} items  ${Object.entries(c.byKind)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}`,
  );
  out.log(
    `By status: ${
      Object.entries(c.byStatus)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(', ') || '—'
    }`,
  );
  out.log('');
  out.log('Columns:');
  for (const col of plan.columns)
    out.log(
      `  ${col.action === 'MAP' ? 'map   ' : 'create'} ${col.name} → ${col.path}${col.action === 'MAP' ? ` (${col.why.toLowerCase().replace('_', ' ')})` : ''}  [${n(col.items)} items]`,
    );
  if (c.itemsWithoutColumn) out.log(`  ${n(c.itemsWithoutColumn)} items have no column: they go to --into`);
  const skipped = Object.entries(c.skippedByReason);
  if (skipped.length) {
    out.log('');
    out.log(`Skipped: ${skipped.map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
    for (const s of plan.skipped.slice(0, 10)) out.log(`  ${s.sourceId} ${s.reason} ${s.title ?? s.what}`);
  }
  out.log('');
  out.log(
    `Files: ${n(c.referencedFiles)} referenced, ${n(c.missingFiles)} missing${plan.filesGiven ? '' : ' (no --files given)'}`,
  );
  for (const m of plan.missingFiles.slice(0, 20)) out.log(`  missing ${m.url} (item ${m.sourceId})`);
  if (c.duplicateTitles) {
    out.log(`Duplicate titles: ${n(c.duplicateTitles)}`);
    for (const d of plan.duplicateTitles.slice(0, 10)) out.log(`  "${d.title}" ${d.sourceIds.join(', ')}`);
  }
  if (c.warnings) {
    out.log(`Warnings: ${n(c.warnings)}`);
    for (const w of plan.warnings.slice(0, 20))
      out.log(`  ${w.code}${w.sourceId ? ` [${w.sourceId}]` : ''} ${w.message}`);
  }
}

function printRun(run: ImportRun, out: Out): void {
  out.log(`Run ${run.id}: ${run.state}`);
  out.log(
    `Counts: ${
      Object.entries(run.counts)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(', ') || '—'
    }`,
  );
  if (run.contentHash) out.log(`Content hash: ${run.contentHash}`);
  if (run.error) out.log(`Error: ${run.error}`);
  if (run.state === 'IN_REVIEW')
    out.log(
      'Nothing is public yet. Sign levels 1–3 (three different people of the site) with the signImportRun mutation; see docs/import.md.',
    );
}

/** A progress bar on stderr: items applied, items/s, ETA (plain lines when stderr is not a terminal). */
export function progressBar(write: (s: string) => void, tty: boolean) {
  const started = Date.now();
  let lastLine = 0;
  return (p: { state: string; staged: number; applied: number; total: number | null }) => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    if (p.state === 'STAGING') {
      if (tty) write(`\rstaging ${n(p.staged)} records…`);
      return;
    }
    const rate = p.applied / secs;
    const total = p.total ?? 0;
    const pct = total ? Math.min(1, p.applied / total) : 1;
    const eta = rate > 0 && total ? Math.round((total - p.applied) / rate) : 0;
    const bar = `${'#'.repeat(Math.round(pct * 30))}${'-'.repeat(30 - Math.round(pct * 30))}`;
    const line = `[${bar}] ${n(p.applied)}/${n(total)} ${(pct * 100).toFixed(0)}% ${rate.toFixed(0)} items/s ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}`;
    if (tty) write(`\r${line}`);
    else if (Date.now() - lastLine > 2000 || p.applied === total) {
      lastLine = Date.now();
      write(`${line}\n`);
    }
  };
}

export const importCommands = (withSystem: WithSystem) => ({
  async import(args: string[], config: Config, out: Out): Promise<number> {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
    if (!positionals.length || !values.site) {
      out.error(
        'usage: zhanqun import <source…> --site CODE [--into PATH] [--map FILE] [--files DIR|ZIP] [--system S] [--commit]',
      );
      return IMPORT_EXIT.usage;
    }
    const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH_SIZE)) {
      out.error(`--batch-size: a whole number of items from 1 to ${MAX_BATCH_SIZE}`);
      return IMPORT_EXIT.usage;
    }
    const input = {
      site: values.site,
      source: positionals,
      system: (values.system ?? null) as never,
      into: values.into ?? null,
      map: readMap(values.map),
      files: values.files ?? null,
      baseUrls: values['base-url'] ?? null,
    };
    if (!values.commit) {
      const plan = await withSystem(config, 'cli:import:plan', (ctx) => planImport(ctx, input));
      printPlan(plan, out);
      out.log('');
      out.log('Dry run: nothing was written. Run again with --commit to import.');
      return IMPORT_EXIT.ok;
    }
    return withSystem(config, 'cli:import', async (ctx) => {
      const run = await startImport(ctx, { ...input, label: values.label ?? null }, { enqueue: false });
      out.log(`Run ${run.id} started (resume it with: zhanqun import:resume ${run.id})`);
      const tty = !!process.stderr.isTTY;
      const onProgress = progressBar((s) => process.stderr.write(s), tty);
      const state = await runImport(ctx, run.id, {
        onProgress,
        batchSize,
      });
      if (tty) process.stderr.write('\n');
      const done = (await importRun(ctx, run.id))!;
      if (done.report) printPlan(done.report as unknown as ImportPlan, out);
      out.log('');
      printRun(done, out);
      return state === 'IN_REVIEW' ? IMPORT_EXIT.ok : IMPORT_EXIT.runFailed;
    });
  },
  async 'import:resume'(args: string[], config: Config, out: Out): Promise<number> {
    const [id] = args;
    if (!id) {
      out.error('usage: zhanqun import:resume RUN_ID');
      return IMPORT_EXIT.usage;
    }
    return withSystem(config, 'cli:import:resume', async (ctx) => {
      const state = await runImport(ctx, id, {
        onProgress: progressBar((s) => process.stderr.write(s), !!process.stderr.isTTY),
      });
      printRun((await importRun(ctx, id))!, out);
      return state === 'IN_REVIEW' ? IMPORT_EXIT.ok : IMPORT_EXIT.runFailed;
    });
  },
  async 'import:status'(args: string[], config: Config, out: Out): Promise<number> {
    const [id] = args;
    if (!id) {
      out.error('usage: zhanqun import:status RUN_ID');
      return IMPORT_EXIT.usage;
    }
    return withSystem(config, 'cli:import:status', async (ctx) => {
      const run = await importRun(ctx, id);
      if (!run) throw new AppError('NOT_FOUND', 'Import run not found');
      printRun(run, out);
      return IMPORT_EXIT.ok;
    });
  },
});

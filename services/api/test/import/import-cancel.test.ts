/**
 * cancelImport against the worker and the signatures (docs/import.md#cancelling-a-run): the cancel decides on the
 * run's row held FOR UPDATE, and whatever else changes the run's state waits for it or is waited for — a cancel is
 * never overwritten by the worker, and never overwrites a run that became final meanwhile.
 *
 * The interleavings are made, not hoped for: a test connection holds the run's row, the two contenders queue
 * behind it in a known order (PostgreSQL grants a row's waiters in turn), and the row is released once both wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport, startImport } from '@zhanqun/core';
import { generateBundle } from '@zhanqun/importers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, reasonOf, startTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
let db: pg.Client;
/** Another session: pg_stat_activity is read once per transaction, and `db` holds one open while it waits. */
let watch: pg.Client;
const dir = mkdtempSync(join(tmpdir(), 'zq-import-cancel-'));
const sys = () => t.platform.systemCtx('test:import-cancel');
const CANCEL = 'mutation($id: ID!) { cancelImport(id: $id) { state } }';
const SIGN = 'mutation($i: SignImportRunInput!) { signImportRun(input: $i) { state } }';

beforeAll(async () => {
  await generateBundle(join(dir, 'town'), { items: 12 });
  t = await startTestApp({ env: { IMPORT_DIR: dir } });
  db = new pg.Client({ connectionString: t.db.adminUrl });
  await db.connect();
  watch = new pg.Client({ connectionString: t.db.adminUrl });
  await watch.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await watch?.end();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newRun(label: string): Promise<string> {
  const run = await startImport(
    sys(),
    { site: 'miyi', source: [join(dir, 'town')], into: '/zwdt/xzdt', label },
    { enqueue: false },
  );
  return run.id;
}

async function runRow(id: string) {
  const r = await db.query<{ state: string; applied: number }>('select state, applied from import_run where id = $1', [
    id,
  ]);
  return r.rows[0]!;
}

/** Items this run has written (drafts until published). */
async function itemsOf(id: string): Promise<number> {
  const r = await db.query<{ n: number }>('select count(*)::int as n from item where import_run_id = $1', [id]);
  return r.rows[0]!.n;
}

/** Holds the run's row FOR UPDATE on the test connection until `release`. */
async function holdRow(id: string) {
  await db.query('begin');
  await db.query('select 1 from import_run where id = $1 for update', [id]);
  return { release: () => db.query('rollback') };
}

/** Waits (no time asserted) until `n` sessions are queued on a lock of import_run. */
async function queued(n: number) {
  await expect
    .poll(
      async () =>
        (
          await watch.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query ilike '%import_run%'`,
          )
        ).rows[0]!.n,
      { timeout: 30_000, interval: 20 },
    )
    .toBe(n);
}

describe('cancelling a run', () => {
  it('a worker between two batches, its state change queued behind the cancel, stops: the run stays CANCELLED', async () => {
    const id = await newRun('between-batches');
    // The worker dies between its first and second batch (the run is APPLYING, 5 of 12 applied).
    expect(await runImport(sys(), id, { batchSize: 5, stopAfterBatches: 1 })).toBe('STOPPED');
    expect(await runRow(id)).toEqual({ state: 'APPLYING', applied: 5 });
    const before = await itemsOf(id);
    const admin = await t.tokenFor(demo.admin('miyi'));

    const row = await holdRow(id);
    const cancel = t.gql(CANCEL, { id }, admin);
    await queued(1);
    // The resumed job has read the run as APPLYING and now waits to move it on — behind the cancel.
    const progress: number[] = [];
    const worker = runImport(sys(), id, { batchSize: 5, onProgress: (p) => progress.push(p.applied) });
    await queued(2);
    await row.release();

    expect((await cancel).data?.cancelImport.state).toBe('CANCELLED');
    expect(await worker).toBe('STOPPED');
    expect(progress).toEqual([]);
    expect(await runRow(id)).toEqual({ state: 'CANCELLED', applied: 5 });
    // No batch was written after the cancel.
    expect(await itemsOf(id)).toBe(before);
    // A job retried later leaves it cancelled too.
    expect(await runImport(sys(), id)).toBe('CANCELLED');
    expect((await runRow(id)).state).toBe('CANCELLED');
  });

  it('a run published while the cancel waited is not cancelled: INVALID_IMPORT_STATE, the run stays PUBLISHED', async () => {
    const id = await newRun('published-meanwhile');
    expect(await runImport(sys(), id)).toBe('IN_REVIEW');
    const { content_hash: contentHash } = (
      await db.query<{ content_hash: string }>('select content_hash from import_run where id = $1', [id])
    ).rows[0]!;
    for (const [i, who] of [demo.editor('miyi'), demo.reviewer('miyi')].entries()) {
      const r = await t.gql(SIGN, { i: { id, level: i + 1, contentHash } }, await t.tokenFor(who));
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    }
    const approver = await t.tokenFor(demo.approver('miyi'));
    const admin = await t.tokenFor(demo.admin('miyi'));

    const row = await holdRow(id);
    // Level 3 (the publication) first in the queue, then the cancel, which read the run as IN_REVIEW.
    const sign = t.gql(SIGN, { i: { id, level: 3, contentHash } }, approver);
    await queued(1);
    const cancel = t.gql(CANCEL, { id }, admin);
    await queued(2);
    await row.release();

    const signed = await sign;
    expect(signed.errors, JSON.stringify(signed.errors)).toBeUndefined();
    expect(signed.data?.signImportRun.state).toBe('PUBLISHED');
    expect(reasonOf(await cancel)).toBe('INVALID_IMPORT_STATE');
    expect((await runRow(id)).state).toBe('PUBLISHED');
  });

  it('a planned run committed after its cancel is refused, and the cancel stands', async () => {
    const run = await startImport(
      sys(),
      { site: 'miyi', source: [join(dir, 'town')], into: '/zwdt/xzdt', label: 'plan-cancel', commit: false },
      { enqueue: false },
    );
    expect(await runImport(sys(), run.id)).toBe('PLANNED');
    const admin = await t.tokenFor(demo.admin('miyi'));

    const row = await holdRow(run.id);
    const cancel = t.gql(CANCEL, { id: run.id }, admin);
    await queued(1);
    // The commit has read the run as PLANNED; it waits behind the cancel and must see CANCELLED.
    const commit = t.gql('mutation($id: ID!) { commitImport(id: $id) { state } }', { id: run.id }, admin);
    await queued(2);
    await row.release();

    expect((await cancel).data?.cancelImport.state).toBe('CANCELLED');
    expect(reasonOf(await commit)).toBe('INVALID_IMPORT_STATE');
    expect((await runRow(run.id)).state).toBe('CANCELLED');
  });
});

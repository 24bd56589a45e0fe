/**
 * Issue 11: a run started through GraphQL is carried out by the worker's `run-import` pg-boss job, and a run left
 * behind by a dead worker (stopped mid-way) is picked up again when the worker registers its jobs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBoss } from '@zhanqun/adapters';
import { runImport, startImport } from '@zhanqun/core';
import { generateBundle } from '@zhanqun/importers';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { registerJobs } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';

let t: TestApp;
let boss: PgBoss;
const dir = mkdtempSync(join(tmpdir(), 'zq-import-job-'));

/** Polls the run until it reaches `state` (the worker is asynchronous); fails after a generous deadline. */
async function until(id: string, state: string, token: string) {
  for (let i = 0; i < 600; i += 1) {
    const r = await t.gql('query($id: ID!) { importRun(id: $id) { state counts } }', { id }, token);
    if (r.data?.importRun?.state === state) return r.data.importRun;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} never reached ${state}`);
}

beforeAll(async () => {
  await generateBundle(join(dir, 'town'), { items: 40 });
  t = await startTestApp({ env: { IMPORT_DIR: dir } });
}, 120_000);
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the run-import job', () => {
  it('carries out a run started through GraphQL, and resumes a run a dead worker left', async () => {
    // A run a previous worker stopped after one batch (as if killed).
    const sys = t.platform.systemCtx('test:dead-worker');
    const left = await startImport(
      sys,
      { site: 'miyi', source: [join(dir, 'town')], label: 'left' },
      { enqueue: false },
    );
    expect(await runImport(sys, left.id, { batchSize: 10, stopAfterBatches: 1 })).toBe('STOPPED');
    boss = createBoss(t.db.appUrl);
    boss.on('error', () => {});
    await boss.start();
    await registerJobs(boss, t.platform, { log: createWorkerLogger('silent') });
    const admin = await t.tokenFor(demo.admin('miyi'));
    const resumed = await until(left.id, 'IN_REVIEW', admin);
    expect(resumed.counts).toMatchObject({ 'ITEM.CREATED': 40 });
    const r = await t.gql(
      'mutation($i: StartImportInput!) { startImport(input: $i) { id } }',
      { i: { site: 'miyi', source: ['town'], into: '/zwdt/xzdt', label: 'left' } },
      admin,
    );
    const done = await until(r.data!.startImport.id, 'IN_REVIEW', admin);
    // The same source again: nothing new.
    expect(done.counts).toMatchObject({ 'ITEM.UNCHANGED': 40 });
    expect(done.counts['ITEM.CREATED']).toBeUndefined();
  });
});

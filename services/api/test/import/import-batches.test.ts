/**
 * Batches written side by side (ADR 0015, sixth round): the stager and the apply each keep two transactions in
 * flight. A record the export has twice is still its first copy, wherever the copies fall (one batch, two batches
 * in flight, two batches apart), every record is written once, and the counts are exact.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, type ItemContent, runImport, startImport } from '@zhanqun/core';
import { generateBundle } from '@zhanqun/importers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
let db: pg.Client;
const dir = mkdtempSync(join(tmpdir(), 'zq-import-batches-'));
const sys = () => t.platform.systemCtx('test:import-batches');

beforeAll(async () => {
  const town = join(dir, 'town');
  await generateBundle(town, { items: 40 });
  // Copies of records 12 (in the next staged batch of four: possibly in flight beside it), 20 (the same batch) and
  // 3 (many batches later), each with another title.
  const lines = readFileSync(join(town, 'items.jsonl'), 'utf8').trim().split('\n');
  const copy = (id: string) => JSON.stringify({ ...JSON.parse(lines[Number(id) - 1]!), title: `复制的 ${id}` });
  lines.splice(13, 0, copy('12'));
  lines.splice(21, 0, copy('20'));
  lines.push(copy('3'));
  rmSync(join(town, 'items.jsonl'));
  appendFileSync(join(town, 'items.jsonl'), `${lines.join('\n')}\n`);
  t = await startTestApp({ env: { IMPORT_DIR: dir } });
  db = new pg.Client({ connectionString: t.db.adminUrl });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('batches written side by side', () => {
  it('stages and applies small batches two at a time: each record once, as its first copy, exact counts', async () => {
    const run = await startImport(
      sys(),
      { site: 'miyi', source: [join(dir, 'town')], into: '/zwdt/xzdt', label: 'batches' },
      { enqueue: false },
    );
    const progress: number[] = [];
    const analyses = async () =>
      (
        await db.query<{ n: number }>(
          "select analyze_count::int as n from pg_stat_user_tables where schemaname = 'public' and relname = 'item'",
        )
      ).rows[0]!.n;
    const analysedBefore = await analyses();
    const state = await runImport(sys(), run.id, {
      stageBatchSize: 4,
      batchSize: 3,
      // The item statistics refreshed after 6 applied items, then each time the run has doubled (12, 24).
      analyseFirst: 6,
      onProgress: (p) => p.state === 'APPLYING' && progress.push(p.applied),
    });
    expect(state).toBe('IN_REVIEW');
    const { rows } = await db.query('select state, staged, applied, batches, counts from import_run where id = $1', [
      run.id,
    ]);
    // 4 columns and 43 item lines read; 40 distinct items, applied in 14 batches of at most 3.
    expect(rows[0]).toMatchObject({ state: 'IN_REVIEW', staged: 47, applied: 40, batches: 14 });
    expect(rows[0].counts).toEqual({ 'COLUMN.CREATED': 2, 'COLUMN.UNCHANGED': 2, 'ITEM.CREATED': 40 });
    // Through the definer function the app role may call (migration 0036): a manual ANALYZE of `item` each time (the
    // counter is the app backend's, reported to the statistics system once it is idle).
    await expect.poll(analyses, { timeout: 10_000 }).toBeGreaterThanOrEqual(analysedBefore + 2);
    // Progress only ever moves forward, and ends at the total.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(40);
    const items = await db.query<{ source_id: string; title: string; n: number }>(
      `select source_id, min(title) as title, count(*)::int as n from item where import_run_id = $1
        group by source_id order by source_id::int`,
      [run.id],
    );
    expect(items.rows).toHaveLength(40);
    expect(items.rows.every((r) => r.n === 1)).toBe(true);
    for (const id of ['3', '12', '20']) {
      const row = items.rows.find((r) => r.source_id === id)!;
      expect(row.title).not.toContain('复制的');
    }
    const staged = await db.query<{ seq: number; title: string }>(
      `select seq, payload->>'title' as title from import_record where run_id = $1 and kind = 'ITEM' and source_id in ('3', '12', '20')
        order by seq`,
      [run.id],
    );
    // The first copies' places in the export (after the four columns), not the later copies'.
    expect(staged.rows.map((r) => r.seq)).toEqual([7, 16, 25]);
    expect(staged.rows.every((r) => !r.title.includes('复制的'))).toBe(true);
    // Revisions written as bound VALUES with the canonical JSON that was hashed: the content as JSON, its text, and
    // the hash an editor's save would compute from the content read back.
    const revisions = await db.query<{ content: ItemContent; body_text: string; content_hash: string }>(
      'select r.content, r.body_text, r.content_hash from item_revision r join item i on i.head_revision_id = r.id where i.import_run_id = $1',
      [run.id],
    );
    expect(revisions.rows).toHaveLength(40);
    for (const r of revisions.rows) {
      expect(r.content_hash).toBe(contentHash(r.content));
      expect(r.content.title).toMatch(/^.+第\d+号：关于做好\d{4}年有关工作的通知$/);
      expect(r.body_text).toContain('为深入贯彻落实上级有关工作部署');
    }
  });
});

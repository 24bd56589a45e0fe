/**
 * Issue 11: a legacy site imported first without its uploads (the operator forgot --files, or a file was refused),
 * then again with them. The re-run brings in the files its unchanged items lacked and gives those items a new
 * revision whose links point at the new media; items that lacked nothing stay unchanged, and a third run changes
 * nothing at all.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '@zhanqun/core';
import { generateDedecms } from '@zhanqun/importers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from '../helpers.ts';

let t: TestApp;
const dir = join(tmpdir(), `zq-import-files-later-${process.pid}-${Date.now()}`);
const sys = () => t.platform.systemCtx('test:import-worker');
const admin = demo.admin('panzhihua');

async function gql(q: string, v: Record<string, unknown>) {
  const r = await t.gql(q, v, await t.tokenFor(admin));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const START = 'mutation($i: StartImportInput!) { startImport(input: $i) { id } }';
const RUN = 'query($id: ID!) { importRun(id: $id) { state counts } }';
async function importRun(files: boolean): Promise<Record<string, number>> {
  const input = {
    site: 'panzhihua',
    source: ['dede'],
    into: '/zwdt/qxdt',
    commit: true,
    ...(files ? { files: 'site' } : {}),
  };
  const id = (await gql(START, { i: input })).startImport.id;
  expect(await runImport(sys(), id)).toBe('IN_REVIEW');
  return (await gql(RUN, { id })).importRun.counts;
}
/** The bodies of the run's items that still link to the legacy uploads, and those that link to media. */
async function links() {
  const owner = new pg.Client({ connectionString: t.db.ownerUrl });
  await owner.connect();
  const { rows } = await owner
    .query<{ body: string }>(
      `select r.content ->> 'body' as body from item i join item_revision r on r.id = i.head_revision_id
        join site s on s.id = i.site_id where s.code = 'panzhihua' and i.source_system = 'dedecms'`,
    )
    .finally(() => owner.end());
  return {
    legacy: rows.filter((r) => /src="\/uploads\//.test(r.body)).length,
    media: rows.filter((r) => /src="\/media\/[0-9a-f-]{36}\//.test(r.body)).length,
  };
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  t = await startTestApp({ env: { IMPORT_DIR: dir } });
  await generateDedecms({
    outDir: join(dir, 'dede'),
    items: 40,
    style: 'mysqldump',
    encoding: 'gbk',
    uploadsDir: join(dir, 'site'),
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a re-run with the uploads that the first run lacked', () => {
  let created = 0;
  let before = { legacy: 0, media: 0 };
  it('first without them: every item created, its files missing, its images still on the legacy paths', async () => {
    const counts = await importRun(false);
    created = counts['ITEM.CREATED']!;
    expect(created).toBeGreaterThan(20);
    expect(counts['FILE.FAILED']).toBeGreaterThan(0);
    expect(counts['FILE.CREATED']).toBeUndefined();
    before = await links();
    expect(before.media).toBe(0);
    expect(before.legacy).toBeGreaterThan(0);
  });

  it('then with them: the items that lacked files get a new revision linking to media, the others stay', async () => {
    const counts = await importRun(true);
    expect(counts['ITEM.CREATED']).toBeUndefined();
    expect(counts['ITEM.UPDATED']).toBeGreaterThan(0);
    expect((counts['ITEM.UPDATED'] ?? 0) + (counts['ITEM.UNCHANGED'] ?? 0)).toBe(created);
    expect(counts['FILE.CREATED']).toBeGreaterThan(0);
    const after = await links();
    expect(after.media).toBeGreaterThan(0);
    expect(after.legacy).toBeLessThan(before.legacy);
  });

  it('and once more: nothing changes, nothing is written again', async () => {
    const counts = await importRun(true);
    expect(counts['ITEM.UNCHANGED']).toBe(created);
    expect(counts['ITEM.UPDATED']).toBeUndefined();
    expect(counts['FILE.CREATED']).toBeUndefined();
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBundle } from '@zhanqun/importers';
import { createTestDatabase, type TestDatabase } from '@zhanqun/testing/vitest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './cli.ts';

let db: TestDatabase;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'zq-import-cli-'));

function capture() {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: { log: (l: string) => lines.push(l), error: (l: string) => errors.push(l) }, lines, errors };
}

async function query<T>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.adminUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: `${db.name}_`,
    MEDIA_DIR: join(dir, 'media'),
    LOG_LEVEL: 'silent',
  };
  expect(await runCli(['seed:demo'], env, capture().out)).toBe(0);
  await generateBundle(join(dir, 'town'), { items: 30 });
  writeFileSync(join(dir, 'map.json'), JSON.stringify({ 镇村风采: 'create', 2: '/zwdt/xzdt' }));
}, 120_000);
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('zhanqun import', () => {
  it('prints the plan by default and writes nothing', async () => {
    const c = capture();
    const code = await runCli(
      ['import', join(dir, 'town'), '--site', 'miyi', '--into', '/zwdt/xzdt', '--map', join(dir, 'map.json')],
      env,
      c.out,
    );
    expect([code, c.errors]).toEqual([0, []]);
    const text = c.lines.join('\n');
    expect(text).toContain('Records: 4 columns, 30 items, 0 files listed');
    expect(text).toContain('map    通知公告 → /zwdt/tzgg (same name)');
    expect(text).toContain('map    工作动态 → /zwdt/xzdt (map file)');
    expect(text).toContain('create 镇村风采 → /zwdt/xzdt/zcfc');
    expect(text).toContain('Dry run: nothing was written.');
    expect(await query('select * from import_run')).toEqual([]);
  });

  it('--commit imports, prints the counts, and a second --commit changes nothing', async () => {
    const args = [
      'import',
      join(dir, 'town'),
      '--site',
      'miyi',
      '--into',
      '/zwdt/xzdt',
      '--commit',
      '--batch-size',
      '7',
    ];
    const c = capture();
    expect(await runCli(args, env, c.out)).toBe(0);
    const text = c.lines.join('\n');
    expect(text).toMatch(/Run [0-9a-f-]{36}: IN_REVIEW/);
    expect(text).toContain('ITEM.CREATED 30');
    expect(text).toContain('Nothing is public yet.');
    const again = capture();
    expect(await runCli(args, env, again.out)).toBe(0);
    expect(again.lines.join('\n')).toContain('ITEM.UNCHANGED 30');
    const rows = await query<{ n: number }>("select count(*)::int as n from item where source_system = 'bundle'");
    expect(rows).toEqual([{ n: 30 }]);
    const id = /Run ([0-9a-f-]{36})/.exec(text)![1]!;
    const status = capture();
    expect(await runCli(['import:status', id], env, status.out)).toBe(0);
    expect(status.lines[0]).toBe(`Run ${id}: IN_REVIEW`);
  });

  it('exit codes: 2 for usage, 1 for a source that cannot be read', async () => {
    expect(await runCli(['import', '--site', 'miyi'], env, capture().out)).toBe(2);
    const runs = await query('select id from import_run');
    for (const size of ['0', 'abc', '2.5', '20000']) {
      const bad = capture();
      const args = ['import', join(dir, 'town'), '--site', 'miyi', '--commit', '--batch-size', size];
      expect(await runCli(args, env, bad.out)).toBe(2);
      expect(bad.errors).toEqual(['--batch-size: a whole number of items from 1 to 2000']);
    }
    // Refused before anything was started.
    expect(await query('select id from import_run')).toEqual(runs);
    const c = capture();
    expect(await runCli(['import', join(dir, 'nothing-here'), '--site', 'miyi'], env, c.out)).toBe(1);
    expect(c.errors[0]).toMatch(/IMPORT_SOURCE_UNREADABLE.*SOURCE_MISSING/);
  });
});

/**
 * Issue 11 "Done means": one command per legacy site. The WordPress theme unit test export
 * (shared/corpora/wordpress) through `zhanqun import <wxr> --site edu`: the dry run prints the plan and writes
 * nothing, `--commit` runs it to review, a second `--commit` duplicates nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@zhanqun/testing/vitest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './cli.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// The shared corpora sit beside the repository (../shared/corpora; ZQ_CORPORA_DIR elsewhere). A checkout without
// them skips these tests, saying so; the generated exports (generateWxr) are tested everywhere.
const WXR = resolve(
  process.env.ZQ_CORPORA_DIR ?? resolve(repo, '../shared/corpora'),
  'wordpress/themeunittestdata.wordpress.xml',
);
const haveCorpus = existsSync(WXR);
if (!haveCorpus) console.warn(`[import-legacy] ${WXR} not found: the WordPress export tests are skipped`);

let db: TestDatabase;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'zq-import-legacy-cli-'));

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
  if (!haveCorpus) return;
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
}, 120_000);
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveCorpus)('zhanqun import <wordpress export>', () => {
  it('prints the plan of the WXR file and writes nothing', async () => {
    const c = capture();
    expect(await runCli(['import', WXR, '--site', 'edu'], env, c.out)).toBe(0);
    expect(c.errors).toEqual([]);
    const text = c.lines.join('\n');
    expect(text).toContain('Source: wordpress — Theme Unit Test Data (https://wpthemetestdata.wordpress.com)');
    expect(text).toContain('Records: 69 columns, 76 items, 37 files listed');
    expect(text).toMatch(/^To import: 76 items {2}(article 55, page 21|page 21, article 55)$/m);
    expect(text).toMatch(/^Skipped: .*NAV_MENU 52/m);
    expect(text).toContain('create Child 2 → /parent/child-1/child-2');
    expect(text).toContain('Dry run: nothing was written.');
    expect(await query('select * from import_run')).toEqual([]);
  });

  it('--commit runs it to review; a second --commit changes nothing', async () => {
    const args = ['import', WXR, '--site', 'edu', '--commit'];
    const c = capture();
    expect(await runCli(args, env, c.out)).toBe(0);
    const text = c.lines.join('\n');
    expect(text).toMatch(/Run [0-9a-f-]{36}: IN_REVIEW/);
    expect(text).toContain('ITEM.CREATED 76');
    const again = capture();
    expect(await runCli(args, env, again.out)).toBe(0);
    expect(again.lines.join('\n')).toContain('ITEM.UNCHANGED 76');
    expect(await query("select count(*)::int as n from item where source_system = 'wordpress'")).toEqual([{ n: 76 }]);
  });
});

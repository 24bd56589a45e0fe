import { createTestDatabase, type TestDatabase } from '@zhanqun/testing/vitest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './cli.ts';

let db: TestDatabase;
let env: Record<string, string>;

function capture() {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: { log: (l: string) => lines.push(l), error: (l: string) => errors.push(l) }, lines, errors };
}

async function count(sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: db.adminUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows[0].n;
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
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await db?.drop();
});

describe('the zhanqun CLI', () => {
  it('migrate reports an up-to-date database', async () => {
    const c = capture();
    expect(await runCli(['migrate'], env, c.out)).toBe(0);
    expect(c.lines).toEqual(['database is up to date']);
  });

  it('creates a platform admin and provisions a site through the same use cases (audited)', async () => {
    const u = capture();
    const code = await runCli(
      [
        'user:create',
        '--email',
        'ops@city.gov.cn',
        '--name',
        '电子政务办运维',
        '--password',
        'Zhengwu#Cloud2026',
        '--platform-admin',
      ],
      env,
      u.out,
    );
    expect([code, u.errors]).toEqual([0, []]);
    expect(u.lines[0]).toMatch(/^created user ops@city\.gov\.cn .* as platform admin$/);
    const s = capture();
    const args = ['site:provision', '--code', 'panzhihua', '--name', '攀枝花市人民政府', '--kind', 'CITY_PORTAL'];
    args.push('--site-id-code', '5104000001', '--domain', 'www.panzhihua.gov.cn', '--admin-email', 'ops@city.gov.cn');
    expect(await runCli(args, env, s.out)).toBe(0);
    expect(s.lines).toEqual(['provisioned site panzhihua (攀枝花市人民政府), status PREPARING']);
    expect(
      await count(
        "select count(*)::int as n from site_column c join site s on s.id = c.site_id where s.code = 'panzhihua'",
      ),
    ).toBeGreaterThan(50);
    expect(
      await count("select count(*)::int as n from audit_record where action in ('user.create', 'site.provision')"),
    ).toBe(2);
  });

  it('refuses a township site with the rule’s reason and exit code 1', async () => {
    const c = capture();
    const args = [
      'site:provision',
      '--code',
      'panlian',
      '--name',
      '攀莲镇人民政府',
      '--kind',
      'TOWNSHIP',
      '--parent',
      'panzhihua',
    ];
    args.push('--site-id-code', '5104210099', '--domain', 'panlian.localhost', '--admin-email', 'ops@city.gov.cn');
    expect(await runCli(args, env, c.out)).toBe(1);
    expect(c.errors[0]).toMatch(/^error BAD_USER_INPUT\/TOWNSHIP_SITE_NOT_ALLOWED \(kind\): .*county portal/);
  });

  it('does not seed the demo city over an existing city portal, and prints usage for unknown commands', async () => {
    const first = capture();
    expect(await runCli(['seed:demo'], env, first.out)).toBe(0);
    expect(first.lines).toEqual(['the demo city is already seeded']);
    const usage = capture();
    expect(await runCli(['nonsense'], env, usage.out)).toBe(2);
    expect(usage.errors[0]).toContain('zhanqun migrate');
  });
});

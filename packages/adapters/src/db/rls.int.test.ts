import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Relative on purpose: @zhanqun/testing depends on this package (for migrate), so a devDependency back on it
// would make the workspace graph cyclic, which turbo rejects.
import { createTestDatabase, type TestDatabase } from '../../../testing/src/vitest.ts';

let db: TestDatabase;
let owner: pg.Client;
let app: pg.Client;
const siteId = randomUUID();
const otherSiteId = randomUUID();

async function inScope<T>(client: pg.Client, siteIds: string, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query("select set_config('zq.site_ids', $1, true)", [siteIds]);
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  owner = new pg.Client({ connectionString: db.ownerUrl });
  app = new pg.Client({ connectionString: db.appUrl });
  await Promise.all([owner.connect(), app.connect()]);
  // Written inside a site scope, as the application does; that works whether or not FORCE binds the owner.
  await inScope(owner, siteId, () =>
    owner.query(
      `insert into site (id, code, name, kind, site_id_code, organisation_name, status_changed_at, created_at, updated_at)
       values ($1, 'city', '示例市人民政府', 'CITY_PORTAL', '5104000001', '示例市人民政府办公室', now(), now(), now())`,
      [siteId],
    ),
  );
});

afterAll(async () => {
  await Promise.all([owner?.end(), app?.end()]);
  await db?.drop();
});

describe('the application role', () => {
  it('is neither superuser nor able to bypass row-level security, and owns no table', async () => {
    const me = await app.query(
      'select current_user as name, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user',
    );
    expect(me.rows).toEqual([{ name: 'zhanqun_app', rolsuper: false, rolbypassrls: false }]);
    const owners = await app.query("select distinct tableowner from pg_tables where schemaname = 'public'");
    expect(owners.rows).toEqual([{ tableowner: 'zhanqun_owner' }]);
  });

  it('sees no site at all without a scope, even though one exists', async () => {
    expect((await app.query('select * from site')).rowCount).toBe(0);
    const asAdmin = new pg.Client({ connectionString: db.adminUrl });
    await asAdmin.connect();
    try {
      expect((await asAdmin.query('select id from site')).rows).toEqual([{ id: siteId }]);
    } finally {
      await asAdmin.end();
    }
  });

  it('sees exactly the scoped site inside a transaction, and nothing once it ends', async () => {
    const rows = await inScope(app, siteId, async () => (await app.query('select id, code from site')).rows);
    expect(rows).toEqual([{ id: siteId, code: 'city' }]);
    expect(await inScope(app, otherSiteId, async () => (await app.query('select id from site')).rowCount)).toBe(0);
    expect((await app.query('select * from site')).rowCount).toBe(0);
  });

  it('cannot write a site outside its scope', async () => {
    const insert = inScope(app, otherSiteId, () =>
      app.query(
        `insert into site (id, code, name, kind, site_id_code, organisation_name, status_changed_at, created_at, updated_at)
         values ($1, 'other', '另一个市', 'CITY_PORTAL', '5104000002', '另一个市人民政府', now(), now(), now())`,
        [siteId],
      ),
    );
    await expect(insert).rejects.toMatchObject({ code: '42501', message: /row-level security/ });
  });

  it('may not change or remove audit records, nor delete sites', async () => {
    for (const sql of ['update audit_record set action = action', 'delete from audit_record', 'delete from site']) {
      await expect(app.query(sql), sql).rejects.toMatchObject({ code: '42501', message: /permission denied/ });
    }
  });
});

describe('the policies', () => {
  const policies = async () =>
    (
      await owner.query<{ name: string; qual: string | null; chk: string | null }>(
        `select cl.relname || '.' || pol.polname as name,
                pg_get_expr(pol.polqual, pol.polrelid) as qual, pg_get_expr(pol.polwithcheck, pol.polrelid) as chk
           from pg_policy pol join pg_class cl on cl.oid = pol.polrelid
           join pg_namespace n on n.oid = cl.relnamespace where n.nspname = 'public'`,
      )
    ).rows;

  // ADR 0033: a bare call is inlined and evaluated for every row (the setting read, split and parsed each time); in a
  // sub-select it is an InitPlan, evaluated once per statement. A policy added later in the bare form fails here.
  it('read the scope once per statement: every call of a scope function is a sub-select', async () => {
    const all = await policies();
    expect(all.length).toBeGreaterThan(30);
    const bare = all.filter((p) =>
      [p.qual, p.chk].some((e) =>
        /zq_(allowed_sites|user_id|platform_scope)\(\)/.test(
          (e ?? '').replace(/SELECT zq_(allowed_sites|user_id|platform_scope)\(\)/g, ''),
        ),
      ),
    );
    expect(bare.map((p) => p.name)).toEqual([]);
    // …and every site-owned policy still checks the scope.
    expect(all.filter((p) => !/zq_allowed_sites/.test(`${p.qual} ${p.chk}`)).map((p) => p.name)).toEqual([]);
  });

  it('evaluate the scope as an InitPlan when the application reads or writes', async () => {
    const plan = await inScope(app, siteId, async () =>
      (await app.query('explain select id from site where code = $1', ['city'])).rows
        .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
        .join('\n'),
    );
    expect(plan).toMatch(/InitPlan/);
    expect(plan).not.toMatch(/string_to_array/);
  });
});

describe('the definer functions', () => {
  // Migration 0034: pg_temp named last, so a caller's temp table never shadows the tables a definer function reads.
  it('resolve names in the owner’s schemas, pg_temp last, or are bound to their objects (SQL-standard bodies)', async () => {
    const { rows } = await owner.query<{ name: string; config: string[] | null }>(
      `select p.oid::regprocedure::text as name, p.proconfig as config
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prosecdef and p.prosqlbody is null`,
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => !(r.config ?? []).includes('search_path=pg_catalog, public, pg_temp'))).toEqual([]);
  });

  it('read the real site table even when the caller has a temp table of that name', async () => {
    const c = new pg.Client({ connectionString: db.appUrl });
    await c.connect();
    try {
      await c.query('create temp table site (id uuid, code text, status text)');
      await c.query(`insert into site values ($1, 'fake', 'ONLINE')`, [otherSiteId]);
      const { rows } = await c.query('select id, code from zq_site_directory()');
      expect(rows).toContainEqual(expect.objectContaining({ id: siteId, code: 'city' }));
      expect(rows.map((r) => r.code)).not.toContain('fake');
    } finally {
      await c.end();
    }
  });
});

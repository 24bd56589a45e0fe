import { randomUUID } from 'node:crypto';
import { PREPARED_STATEMENT } from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Relative on purpose: see rls.int.test.ts.
import { createTestDatabase, type TestDatabase } from '../../../testing/src/vitest.ts';
import { preparedStatementsOn, statementName } from './prepared-statements.ts';

let db: TestDatabase;
let pool: pg.Pool;
const siteId = randomUUID();
const otherSiteId = randomUUID();

const prepared = async (client: pg.PoolClient) =>
  (await client.query<{ name: string }>('select name from pg_prepared_statements')).rows.map((r) => r.name);

beforeAll(async () => {
  db = await createTestDatabase();
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  await owner.connect();
  try {
    await owner.query('begin');
    await owner.query("select set_config('zq.site_ids', $1, true)", [`${siteId},${otherSiteId}`]);
    for (const [id, code, n] of [
      [siteId, 'city', '1'],
      [otherSiteId, 'county', '2'],
    ])
      await owner.query(
        `insert into site (id, code, name, kind, site_id_code, organisation_name, status_changed_at, created_at, updated_at)
         values ($1, $2, '示例市人民政府', 'CITY_PORTAL', '510400000' || $3, '示例市人民政府办公室' || $3, now(), now(), now())`,
        [id, code, n],
      );
    await owner.query('commit');
  } finally {
    await owner.end();
  }
  // The app's role, one connection: every query below runs on the same session.
  pool = new pg.Pool({ connectionString: db.appUrl, max: 1 });
  preparedStatementsOn(pool);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('statements marked PREPARED_STATEMENT (issue 11)', () => {
  it('run as a named statement of the connection, with their values bound; others stay unnamed', async () => {
    const marked = `${PREPARED_STATEMENT}select $1::int + 1 as n`;
    const client = await pool.connect();
    try {
      expect((await client.query(marked, [1])).rows).toEqual([{ n: 2 }]);
      expect((await client.query(marked, [41])).rows).toEqual([{ n: 42 }]);
      await client.query('select $1::int as plain', [1]);
      const names = await prepared(client);
      expect(names).toContain(statementName(marked));
      expect(names).toHaveLength(1);
    } finally {
      client.release();
    }
    // pool.query passes a callback: the same statement, by name, on the same (only) connection.
    expect((await pool.query(marked, [2])).rows).toEqual([{ n: 3 }]);
  });

  it('keep each transaction’s row-level security scope once the plan is generic', async () => {
    const marked = `${PREPARED_STATEMENT}select coalesce(array_agg(id::text), '{}') as ids from site where id = any ($1::uuid[])`;
    const client = await pool.connect();
    try {
      // Ten runs, alternating scopes: PostgreSQL plans a statement five times, then may keep a generic plan.
      for (let i = 0; i < 10; i++) {
        const scope = i % 2 ? otherSiteId : siteId;
        await client.query('begin');
        await client.query("select set_config('zq.site_ids', $1, true)", [scope]);
        const { rows } = await client.query(marked, [[siteId, otherSiteId]]);
        await client.query('commit');
        expect(rows).toEqual([{ ids: [scope] }]);
        await client.query('begin');
        await client.query("select set_config('zq.site_ids', '', true)");
        const none = await client.query(marked, [[siteId, otherSiteId]]);
        await client.query('commit');
        expect(none.rows).toEqual([{ ids: [] }]);
      }
    } finally {
      client.release();
    }
  });

  it('are parsed again after their first parse was refused (an aborted transaction)', async () => {
    const marked = `${PREPARED_STATEMENT}select $1::text as t`;
    const client = await pool.connect();
    try {
      await client.query('begin');
      await expect(client.query('select 1/0')).rejects.toThrow(/division by zero/);
      await expect(client.query(marked, ['a'])).rejects.toThrow(/current transaction is aborted/);
      await client.query('rollback');
      expect((await client.query(marked, ['b'])).rows).toEqual([{ t: 'b' }]);
    } finally {
      client.release();
    }
  });

  it('a text that does not parse fails the same way every time', async () => {
    const marked = `${PREPARED_STATEMENT}selec $1::int`;
    await expect(pool.query(marked, [1])).rejects.toThrow(/syntax error/);
    await expect(pool.query(marked, [1])).rejects.toThrow(/syntax error/);
  });

  it('name at most 32 texts in a process; the others run unnamed', async () => {
    const client = await pool.connect();
    try {
      for (let i = 0; i < 40; i++) {
        const marked = `${PREPARED_STATEMENT}select ${i} + $1::int as n`;
        expect((await client.query(marked, [1])).rows).toEqual([{ n: i + 1 }]);
      }
      expect(statementName(`${PREPARED_STATEMENT}select 'one more'`)).toBeNull();
      expect((await prepared(client)).length).toBeLessThanOrEqual(32);
    } finally {
      client.release();
    }
  });
});

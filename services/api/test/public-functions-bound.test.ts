/**
 * Migration 0033 (ADR 0030, second round): zq_public_item, zq_public_versions and zq_public_items_under run with
 * the owner's rights and no `SET search_path`; their bodies are bound to the real tables when the migration runs.
 * A caller that shadows those tables — temp tables of the same names, searched first for relations unless
 * search_path says otherwise — or puts its own temp schema first gets the very same answers: a definer function
 * must never read what its caller chose. A taken-down site stays refused even when the caller's shadow says ONLINE.
 */
import { withClient } from '@zhanqun/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishItem, startTestApp, type TestApp } from './helpers.ts';

/** As the database's administrator: a status change the API refuses (ARCHIVED is final through it). */
const asAdmin = (sql: string) => withClient(t.db.adminUrl, (c) => c.query(sql));

let t: TestApp;
const ids: string[] = [];

/** The three doors as the app role, on one connection, rows as JSON text (byte-level comparison). */
async function answers(c: pg.Client, site: string) {
  const q = async (sql: string, params: unknown[]) => JSON.stringify((await c.query(sql, params)).rows);
  return {
    item: await q('select * from zq_public_item($1)', [ids[0]]),
    versions: await q('select zq_public_versions($1) as v', [[site]]),
    under: await q(`select * from zq_public_items_under($1, '/zwdt', null, 10, null, null)`, [site]),
    page: await q(`select * from zq_public_items_under($1, '/zwdt', null, 2, null, null)`, [site]),
  };
}

/** Temp tables named like the ones the functions read, holding a lie: the site ONLINE at version 0, no items. */
const shadow = (site: string) => [
  'create temp table site (id uuid, status text, content_version bigint, tree_version bigint)',
  `insert into site values ('${site}', 'ONLINE', 0, 0)`,
  'create temp table item_listing (item_id uuid, item_site_id uuid, revision_id uuid, home boolean)',
  'create temp table item (id uuid, site_id uuid, published_revision_id uuid)',
  'create temp table item_revision (id uuid, number integer, content jsonb)',
];

beforeAll(async () => {
  t = await startTestApp();
  for (const title of ['第一篇', '第二篇', '第三篇'])
    ids.push(await publishItem(t, 'miyi', { column: '/zwdt/yw', title }));
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('the definer functions of migration 0033', () => {
  it('answer alike whatever the caller shadows in its temp schema or puts in its search_path', async () => {
    const c = new pg.Client({ connectionString: t.db.appUrl });
    await c.connect();
    try {
      const site = (await c.query(`select id from zq_site_directory() where code = 'miyi'`)).rows[0].id;
      const before = await answers(c, site);
      expect(JSON.parse(before.item)).toHaveLength(1);
      expect(JSON.parse(before.under).map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
      expect(JSON.parse(before.page)).toHaveLength(2);
      for (const sql of shadow(site)) await c.query(sql);
      expect(await answers(c, site)).toEqual(before);
      await c.query('set search_path = pg_temp, public');
      expect(await answers(c, site)).toEqual(before);
    } finally {
      await c.end();
    }
  });

  it('still refuse a taken-down site when the caller shadows it as ONLINE', async () => {
    await asAdmin(`update site set status = 'ARCHIVED' where code = 'miyi'`);
    const c = new pg.Client({ connectionString: t.db.appUrl });
    await c.connect();
    try {
      const site = (await c.query(`select id from zq_site_directory() where code = 'miyi'`)).rows[0].id;
      for (const sql of shadow(site)) await c.query(sql);
      expect((await c.query('select * from zq_public_item($1)', [ids[0]])).rowCount).toBe(0);
      expect(
        (await c.query(`select * from zq_public_items_under($1, '/zwdt', null, 10, null, null)`, [site])).rowCount,
      ).toBe(0);
    } finally {
      await c.end();
      await asAdmin(`update site set status = 'ONLINE' where code = 'miyi'`);
    }
  });
});

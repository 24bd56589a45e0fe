/** Issue 7 part B: the end of the audit chain is anchored by checkpoints, so cutting it off is detected. */
import { checkpointAuditChains } from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: string;
let platform: string;
const SITE = 'panzhihua';
const VERIFY = `{ verifyAuditChain(site: "${SITE}") { ok checked firstBrokenSeq reason anchoredSeq missing { afterSeq throughSeq records } } }`;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.tokenFor(demo.admin(SITE));
  platform = await t.tokenFor(demo.platformAdmin);
});
afterAll(async () => {
  await t?.close();
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function change(code: string) {
  const r = await t.gql(
    `mutation { createColumn(input: { site: "${SITE}", code: "${code}", name: "栏目${code}" }) { id } }`,
    {},
    admin,
  );
  expect(r.errors).toBeUndefined();
}

const chainSeqs = async () =>
  (
    await sql<{ seq: string }>(
      t.db.adminUrl,
      `select seq from audit_record where site_id = (select id from site where code = '${SITE}') order by seq`,
    )
  ).map((r) => r.seq);

describe('audit checkpoints', () => {
  it('anchor each chain head that moved, and only those', async () => {
    await change('a1');
    const first = await checkpointAuditChains(t.platform.systemCtx('test:audit-checkpoint'));
    const seqs = await chainSeqs();
    const mine = first.find((c) => c.siteId !== null && c.headSeq === seqs.at(-1));
    expect(mine).toMatchObject({ records: seqs.length });
    // Nothing moved: nothing new to anchor.
    expect(await checkpointAuditChains(t.platform.systemCtx('test:audit-checkpoint'))).toEqual([]);
    const r = await t.gql(VERIFY, {}, platform);
    expect(r.data!.verifyAuditChain).toMatchObject({ ok: true, checked: seqs.length, anchoredSeq: seqs.at(-1) });
  });

  it('detects the newest records deleted by the database owner, naming the missing range', async () => {
    await change('a2');
    await change('a3');
    await change('a4');
    await checkpointAuditChains(t.platform.systemCtx('test:audit-checkpoint'));
    const seqs = await chainSeqs();
    expect((await t.gql(VERIFY, {}, platform)).data!.verifyAuditChain.ok).toBe(true);
    // As the owner/superuser: cut off the two newest records. Every remaining link still holds.
    await sql(t.db.adminUrl, 'delete from audit_record where seq = any($1::bigint[])', [seqs.slice(-2)]);
    const r = (await t.gql(VERIFY, {}, platform)).data!.verifyAuditChain;
    expect(r).toMatchObject({
      ok: false,
      firstBrokenSeq: seqs.at(-1),
      missing: { afterSeq: seqs.at(-3), throughSeq: seqs.at(-1), records: 2 },
    });
    expect(r.reason).toMatch(/cut off/);
  });

  it('never re-anchors a cut chain, and still reports the gap after new records', async () => {
    expect(
      (await checkpointAuditChains(t.platform.systemCtx('test:audit-checkpoint'))).filter((c) => c.siteId),
    ).toEqual([]);
    await change('a5');
    await checkpointAuditChains(t.platform.systemCtx('test:audit-checkpoint'));
    const r = (await t.gql(VERIFY, {}, platform)).data!.verifyAuditChain;
    expect(r.ok).toBe(false);
    expect(r.missing.records).toBe(2);
  });

  it('the app role can read checkpoints of its scope only and never write them itself', async () => {
    await expect(
      sql(
        t.db.appUrl,
        "insert into audit_checkpoint (site_id, head_seq, head_hash, records, at) values (null, 1, 'x', 1, now())",
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(sql(t.db.appUrl, 'update audit_checkpoint set records = 0')).rejects.toThrow(/permission denied/);
    await expect(sql(t.db.appUrl, 'delete from audit_checkpoint')).rejects.toThrow(/permission denied/);
    expect(await sql(t.db.appUrl, 'select * from audit_checkpoint')).toEqual([]);
  });
});

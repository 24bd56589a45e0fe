import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.tokenFor(demo.admin('miyi'));
});
afterAll(async () => {
  await t?.close();
});

async function asOwner<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: t.db.adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('audit log', () => {
  it('records who did what, where, from which address, with which request id and what changed', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${admin}`, 'x-request-id': 'req-audit-1' },
      payload: { query: 'mutation { createColumn(input: { site: "miyi", code: "jyta", name: "建议提案" }) { id } }' },
    });
    expect(res.headers['x-request-id']).toBe('req-audit-1');
    const log = await t.gql(
      '{ auditLog(site: "miyi", first: 1) { edges { node { action siteCode actor { type name } targetType clientAddress requestId changes hash prevHash } } } }',
      {},
      admin,
    );
    const rec = log.data!.auditLog.edges[0].node;
    expect(rec).toMatchObject({
      action: 'column.create',
      siteCode: 'miyi',
      actor: { type: 'USER', name: '米易县人民政府站点管理员' },
      targetType: 'Column',
      clientAddress: '127.0.0.1',
      requestId: 'req-audit-1',
      changes: { path: '/jyta', name: '建议提案' },
    });
    expect(rec.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.prevHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is readable by the site admin only', async () => {
    const editor = await t.tokenFor(demo.editor('miyi'));
    expect(codeOf(await t.gql('{ auditLog(site: "miyi") { edges { node { seq } } } }', {}, editor))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql('{ auditLog(site: "miyi") { edges { node { seq } } } }'))).toBe('UNAUTHENTICATED');
    const platform = await t.tokenFor(demo.platformAdmin);
    const chain = await t.gql('{ auditLog(first: 5) { edges { node { action siteCode } } } }', {}, platform);
    expect(chain.data!.auditLog.edges.map((e: { node: { action: string } }) => e.node.action)).toContain('user.create');
  });

  it('verifies an intact chain and finds the first broken link after a hand edit', async () => {
    const ok = await t.gql('{ verifyAuditChain(site: "miyi") { ok checked firstBrokenSeq } }', {}, admin);
    expect(ok.data!.verifyAuditChain.ok).toBe(true);
    expect(ok.data!.verifyAuditChain.checked).toBeGreaterThan(5);
    // Someone with database access rewrites history.
    const seq = await asOwner(async (c) => {
      const { rows } = await c.query(
        "select seq from audit_record where site_id = (select id from site where code = 'miyi') order by seq limit 1 offset 2",
      );
      await c.query('update audit_record set changes = \'{"forged": true}\' where seq = $1', [rows[0].seq]);
      return String(rows[0].seq);
    });
    const broken = await t.gql('{ verifyAuditChain(site: "miyi") { ok checked firstBrokenSeq reason } }', {}, admin);
    expect(broken.data!.verifyAuditChain).toMatchObject({ ok: false, checked: 2, firstBrokenSeq: seq });
    expect(broken.data!.verifyAuditChain.reason).toMatch(/changed/);
  });

  it('detects a deleted record', async () => {
    const seq = await asOwner(async (c) => {
      const { rows } = await c.query(
        "select seq from audit_record where site_id = (select id from site where code = 'edu') order by seq limit 1 offset 1",
      );
      await c.query('delete from audit_record where seq = $1', [rows[0].seq]);
      return Number(rows[0].seq);
    });
    const platform = await t.tokenFor(demo.platformAdmin);
    const r = await t.gql('{ verifyAuditChain(site: "edu") { ok firstBrokenSeq reason } }', {}, platform);
    expect(r.data!.verifyAuditChain.ok).toBe(false);
    expect(Number(r.data!.verifyAuditChain.firstBrokenSeq)).toBeGreaterThan(seq);
    expect(r.data!.verifyAuditChain.reason).toMatch(/removed/);
  });
});

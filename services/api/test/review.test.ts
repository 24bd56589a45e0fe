/**
 * The scenario: a policy document and its interpretation go from draft through three distinct signers
 * to published; nobody signs twice; an edit voids sign-offs; the publishing date cannot be forged; deadlines
 * follow the working-day calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const tok: Record<string, string> = {};
const ITEM = `id state live title revision headRevision publishedRevision publishedAt deadlineAt timeliness indexNumber
  column { path } placements { path }
  signOffs { level decision user { name } role opinion signedAt revision revisionHash voided }`;
let policyId = '';
let interpId = '';

const gql = (who: string, query: string, variables?: Record<string, unknown>) => t.gql(query, variables, tok[who]);
const sign = (who: string, id: string, extra: Record<string, unknown> = {}) =>
  gql(who, `mutation($i: SignOffInput!) { signOff(input: $i) { ${ITEM} } }`, { i: { id, ...extra } });

beforeAll(async () => {
  t = await startTestApp();
  for (const [k, email] of Object.entries({
    editor: demo.editor('miyi'),
    reviewer: demo.reviewer('miyi'),
    approver: demo.approver('miyi'),
    admin: demo.admin('miyi'),
    eduEditor: demo.editor('edu'),
  })) {
    tok[k] = await t.tokenFor(email);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('three-level review of a policy document and its interpretation', () => {
  it('creates the policy document as a draft with a deadline from the calendar', async () => {
    const r = await gql(
      'editor',
      `mutation($i: CreateItemInput!) { createItem(input: $i) { ${ITEM} docNumber issuingBody issuedAt } }`,
      {
        i: {
          site: 'miyi',
          column: '/zc/zcwj',
          alsoIn: ['/zwgk/fdzdgknr/zcwj'],
          kind: 'POLICY_DOCUMENT',
          title: '米易县人民政府关于加强政府网站信息内容建设的通知',
          body: '<p>各乡镇人民政府，县政府各部门：</p><p>现将有关事项通知如下。</p>',
          source: '米易县人民政府办公室',
          docNumber: '米府发〔2024〕12号',
          issuingBody: '米易县人民政府',
          writtenAt: '2024-09-20',
          issuedAt: '2024-09-27',
        },
      },
    );
    expect(r.errors).toBeUndefined();
    const item = r.data!.createItem;
    policyId = item.id;
    expect(item).toMatchObject({
      state: 'DRAFT',
      live: false,
      revision: 1,
      publishedAt: null,
      column: { path: '/zc/zcwj' },
    });
    expect(item.placements.map((p: { path: string }) => p.path)).toEqual(['/zc/zcwj', '/zwgk/fdzdgknr/zcwj']);
    // Issued Friday 2024-09-27: 9-29 (Sunday make-up day), 9-30, then 10-1…10-7 off, 10-8 → end of 2024-10-08 CST.
    expect(item.deadlineAt).toBe('2024-10-08T16:00:00.000Z');
  });

  it('is invisible to the public and to other sites while a draft', async () => {
    expect((await t.gql('query($id: ID!) { item(id: $id) { id } }', { id: policyId })).data).toEqual({ item: null });
    expect((await gql('eduEditor', 'query($id: ID!) { item(id: $id) { id } }', { id: policyId })).data).toEqual({
      item: null,
    });
    const list = await gql('eduEditor', '{ items(site: "miyi", state: DRAFT) { edges { node { id } } } }');
    expect(list.data!.items.edges).toEqual([]);
  });

  it('goes through three distinct signers', async () => {
    expect(reasonOf(await sign('editor', policyId))).toBe('INVALID_ITEM_STATE'); // not submitted yet
    const sub = await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id: policyId });
    expect(sub.data!.submitItem.state).toBe('FIRST_REVIEW');
    // The entry clerk may sign the first review of their own item.
    const l1 = await sign('editor', policyId, { level: 1, opinion: '内容准确' });
    expect(l1.data!.signOff.state).toBe('REVIEW');
    expect(reasonOf(await sign('editor', policyId))).toBe('REVIEW_ROLE_REQUIRED');
    expect(reasonOf(await sign('approver', policyId, { level: 3 }))).toBe('INVALID_ITEM_STATE');
    const l2 = await sign('reviewer', policyId, { opinion: '同意' });
    expect(l2.data!.signOff.state).toBe('SIGN_OFF');
  });

  it('refuses a person who already signed, even with the next role', async () => {
    const members = await gql('admin', '{ site(code: "miyi") { members { id user { email } } } }');
    const m = members.data!.site.members.find(
      (x: { user: { email: string } }) => x.user.email === demo.reviewer('miyi'),
    );
    await gql('admin', 'mutation($id: ID!) { updateMember(input: { id: $id, roles: [REVIEWER, APPROVER] }) { id } }', {
      id: m.id,
    });
    tok.reviewer = await t.tokenFor(demo.reviewer('miyi')); // roles are read per request; a fresh token is not needed but harmless
    expect(reasonOf(await sign('reviewer', policyId))).toBe('SIGNER_ALREADY_SIGNED');
    await gql('admin', 'mutation($id: ID!) { updateMember(input: { id: $id, roles: [REVIEWER] }) { id } }', {
      id: m.id,
    });
  });

  it('voids every sign-off when the item is edited, and starts the review again', async () => {
    const r = await gql(
      'editor',
      'mutation { updateItem(input: { id: "' + policyId + '", summary: "加强网站内容建设" }) { ' + ITEM + ' } }',
    );
    const item = r.data!.updateItem;
    expect(item.state).toBe('DRAFT');
    expect(item.revision).toBe(2);
    expect(item.signOffs.map((s: { voided: boolean }) => s.voided)).toEqual([true, true]);
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id: policyId });
    await sign('editor', policyId);
    await sign('reviewer', policyId);
  });

  it('refuses a backdated or past publishing time', async () => {
    const forged = await gql(
      'editor',
      `mutation { updateItem(input: { id: "${policyId}", publishedAt: "2024-09-27T00:00:00Z" }) { id } }`,
    );
    expect(codeOf(forged)).toBe('BAD_USER_INPUT'); // the field does not exist
    expect(reasonOf(await sign('approver', policyId, { publishAt: '2024-09-27T00:00:00Z' }))).toBe(
      'PUBLISH_TIME_IN_PAST',
    );
  });

  it('publishes at level 3 with the server’s time and an 索引号', async () => {
    const before = Date.now();
    const r = await sign('approver', policyId, { opinion: '同意发布' });
    const item = r.data!.signOff;
    expect(item).toMatchObject({ state: 'PUBLISHED', live: true, publishedRevision: 2, timeliness: 'LATE' });
    expect(new Date(item.publishedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(item.publishedAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(item.indexNumber).toMatch(/^11510421008851002X\/\d{4}-00001$/);
    const live = item.signOffs.filter((s: { voided: boolean }) => !s.voided);
    expect(
      live.map((s: { level: number; role: string; user: { name: string } }) => [s.level, s.role, s.user.name]),
    ).toEqual([
      [1, 'EDITOR', '米易县人民政府信息员'],
      [2, 'REVIEWER', '米易县人民政府科室审核人'],
      [3, 'APPROVER', '米易县人民政府分管领导'],
    ]);
    expect(new Set(live.map((s: { revisionHash: string }) => s.revisionHash)).size).toBe(1);
    expect(live.every((s: { revision: number }) => s.revision === 2)).toBe(true);
  });

  it('is public now, in both of its columns', async () => {
    for (const column of ['/zc/zcwj', '/zwgk/fdzdgknr/zcwj']) {
      const r = await t.gql(
        'query($c: String) { items(site: "miyi", column: $c) { edges { node { id title docNumber body } } } }',
        { c: column },
      );
      expect(r.data!.items.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(policyId);
    }
    const one = await t.gql('query($id: ID!) { item(id: $id) { state signOffs { level } body } }', { id: policyId });
    expect(one.data!.item).toMatchObject({ state: 'PUBLISHED', signOffs: [] });
    expect(one.data!.item.body).toContain('现将有关事项通知如下');
  });

  it('links an interpretation, readable from both sides, and reports policies still without one', async () => {
    const missingBefore = await gql('admin', '{ policiesWithoutInterpretation(site: "miyi") { id } }');
    expect(missingBefore.data!.policiesWithoutInterpretation.map((i: { id: string }) => i.id)).toEqual([policyId]);
    const r = await gql('editor', 'mutation($i: CreateItemInput!) { createItem(input: $i) { id interprets { id } } }', {
      i: {
        site: 'miyi',
        column: '/zc/zcjd',
        kind: 'INTERPRETATION',
        title: '《关于加强政府网站信息内容建设的通知》政策解读',
        body: '<p>一图读懂。</p>',
        source: '米易县人民政府办公室',
        interprets: [policyId],
      },
    });
    interpId = r.data!.createItem.id;
    expect(r.data!.createItem.interprets).toEqual([{ id: policyId }]);
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id: interpId });
    await sign('editor', interpId);
    await sign('reviewer', interpId);
    expect((await sign('approver', interpId)).data!.signOff.state).toBe('PUBLISHED');
    const policy = await t.gql('query($id: ID!) { item(id: $id) { interpretations { id title } } }', { id: policyId });
    expect(policy.data!.item.interpretations.map((i: { id: string }) => i.id)).toEqual([interpId]);
    const missingAfter = await gql('admin', '{ policiesWithoutInterpretation(site: "miyi") { id } }');
    expect(missingAfter.data!.policiesWithoutInterpretation).toEqual([]);
  });

  it('keeps the published version live while an update is in review', async () => {
    await gql(
      'editor',
      `mutation { updateItem(input: { id: "${policyId}", title: "米易县人民政府关于加强政府网站信息内容建设的通知（修订）" }) { state } }`,
    );
    const pub = await t.gql('query($id: ID!) { item(id: $id) { title revision } }', { id: policyId });
    expect(pub.data!.item).toEqual({ title: '米易县人民政府关于加强政府网站信息内容建设的通知', revision: 2 });
    const internal = await gql('editor', 'query($id: ID!) { item(id: $id) { title state live revision } }', {
      id: policyId,
    });
    expect(internal.data!.item).toMatchObject({ state: 'DRAFT', live: true, revision: 3 });
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id: policyId });
    await sign('editor', policyId);
    await sign('reviewer', policyId);
    const r = await sign('approver', policyId);
    expect(r.data!.signOff.indexNumber).toMatch(/-00001$/); // the 索引号 stays
    const after = await t.gql('query($id: ID!) { item(id: $id) { title revision } }', { id: policyId });
    expect(after.data!.item.revision).toBe(3);
  });

  it('rejects with an opinion only, back to draft', async () => {
    await gql('editor', `mutation { updateItem(input: { id: "${interpId}", summary: "补充摘要" }) { state } }`);
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id: interpId });
    await sign('editor', interpId);
    expect(codeOf(await gql('reviewer', `mutation { rejectItem(id: "${interpId}", opinion: "") { state } }`))).toBe(
      'BAD_USER_INPUT',
    );
    const r = await gql(
      'reviewer',
      `mutation { rejectItem(id: "${interpId}", opinion: "摘要表述不准确") { state signOffs { decision voided opinion } } }`,
    );
    expect(r.data!.rejectItem.state).toBe('DRAFT');
    expect(r.data!.rejectItem.signOffs.slice(-2)).toEqual([
      { decision: 'APPROVED', voided: true, opinion: null },
      { decision: 'REJECTED', voided: false, opinion: '摘要表述不准确' },
    ]);
  });

  it('withdraws with a reason and keeps the record', async () => {
    expect(codeOf(await gql('approver', `mutation { withdrawItem(id: "${interpId}", reason: "") { state } }`))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql('editor', `mutation { withdrawItem(id: "${interpId}", reason: "错误") { state } }`))).toBe(
      'FORBIDDEN',
    );
    const r = await gql(
      'approver',
      `mutation { withdrawItem(id: "${interpId}", reason: "解读口径调整") { state live withdrawnReason } }`,
    );
    expect(r.data!.withdrawItem).toEqual({ state: 'WITHDRAWN', live: false, withdrawnReason: '解读口径调整' });
    expect((await t.gql(`{ item(id: "${interpId}") { id } }`)).data).toEqual({ item: null });
    expect((await gql('admin', `{ itemRevisions(id: "${interpId}") { number } }`)).data!.itemRevisions.length).toBe(2);
  });

  it('records everything in the audit log', async () => {
    const log = await gql('admin', '{ auditLog(site: "miyi", first: 100) { edges { node { action targetId } } } }');
    const actions = log
      .data!.auditLog.edges.filter((e: { node: { targetId: string } }) => e.node.targetId === policyId)
      .map((e: { node: { action: string } }) => e.node.action);
    expect(actions).toEqual(
      expect.arrayContaining(['item.create', 'item.submit', 'item.signOff', 'item.update', 'item.publish']),
    );
    expect((await gql('admin', '{ verifyAuditChain(site: "miyi") { ok } }')).data!.verifyAuditChain.ok).toBe(true);
  });
});

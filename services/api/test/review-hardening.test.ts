/**
 * Issue 7, part A: placements are reviewed content, column limits on every placement, nobody approves their own
 * words, dates that drive deadlines cannot be bent, and the 24-hour rule as the seed says (2015 §2, §12).
 */
import { makeCtx, publishDueItems } from '@zhanqun/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, columnLimitedEditor, demo, type GqlResult, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const tok: Record<string, string> = {};
const gql = (who: string, query: string, variables?: Record<string, unknown>) =>
  t.gql(query, variables, who ? tok[who] : undefined);
const ITEM = 'id state slug deadlineAt timeliness placements { path } signOffs { level voided }';
const create = async (input: Record<string, unknown>, who = 'editor') => {
  const r = await gql(who, `mutation($i: CreateItemInput!) { createItem(input: $i) { ${ITEM} } }`, {
    i: { site: 'miyi', column: '/zwdt/yw', kind: 'ARTICLE', source: '米易县融媒体中心', body: '<p>正文</p>', ...input },
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.createItem as Record<string, unknown> & { id: string; deadlineAt: string | null };
};
const update = (input: Record<string, unknown>, who = 'editor') =>
  gql(who, `mutation($i: UpdateItemInput!) { updateItem(input: $i) { ${ITEM} } }`, { i: input });
const sign = (who: string, id: string) =>
  gql(who, `mutation($id: ID!) { signOff(input: { id: $id }) { ${ITEM} } }`, { id });
async function publish(id: string) {
  await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
  await sign('editor', id);
  await sign('reviewer', id);
  const r = await sign('approver', id);
  expect(r.data?.signOff.state, JSON.stringify(r.errors)).toBe('PUBLISHED');
}
const publicItem = async (id: string) =>
  (await gql('', `query($id: ID!) { item(id: $id) { ${ITEM} revision } }`, { id })).data!.item as Record<
    string,
    unknown
  >;
const paths = (i: Record<string, unknown>) => (i.placements as { path: string }[]).map((p) => p.path).sort();

beforeAll(async () => {
  t = await startTestApp();
  for (const [k, email] of Object.entries({
    editor: demo.editor('miyi'),
    reviewer: demo.reviewer('miyi'),
    approver: demo.approver('miyi'),
    admin: demo.admin('miyi'),
  })) {
    tok[k] = await t.tokenFor(email);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('placements are reviewed content (2015 §12 谁审查谁负责)', () => {
  it('voids the sign-offs of an item in review whose placements or slug change', async () => {
    for (const change of [{ alsoIn: ['/zwdt/tzgg'] }, { slug: 'renamed-in-review' }]) {
      const { id } = await create({ title: `审核中改栏目 ${Object.keys(change)[0]}` });
      await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
      await sign('editor', id);
      const r = await update({ id, ...change });
      expect(r.data!.updateItem.state).toBe('DRAFT');
      expect(r.data!.updateItem.signOffs).toEqual([{ level: 1, voided: true }]);
    }
  });

  it('keeps a live item where it was shown until the change is signed at all three levels', async () => {
    const { id } = await create({ title: '已发布稿件', slug: 'first-slug' });
    await publish(id);
    const r = await update({ id, alsoIn: ['/zwgk/fdzdgknr/zcwj'], slug: 'second-slug' });
    expect(r.data!.updateItem.state).toBe('DRAFT');
    // The public still sees the signed placements and slug, not the working version's.
    let pub = await publicItem(id);
    expect(paths(pub)).toEqual(['/zwdt/yw']);
    expect(pub.slug).toBe('first-slug');
    const listed = await gql('', '{ items(site: "miyi", column: "/zwgk/fdzdgknr/zcwj") { edges { node { id } } } }');
    expect(listed.data!.items.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(id);
    await publish(id);
    pub = await publicItem(id);
    expect(paths(pub)).toEqual(['/zwdt/yw', '/zwgk/fdzdgknr/zcwj']);
    expect(pub.slug).toBe('second-slug');
    const audit = await gql(
      'admin',
      '{ auditLog(site: "miyi", action: "item.publish", first: 1) { edges { node { changes } } } }',
    );
    expect(audit.data!.auditLog.edges[0].node.changes).toMatchObject({
      slug: ['first-slug', 'second-slug'],
    });
  });

  it('refuses a slug another item of the column uses', async () => {
    await create({ title: '甲', slug: 'taken-slug' });
    const { id } = await create({ title: '乙' });
    const r = await update({ id, slug: 'taken-slug' });
    expect([codeOf(r), r.errors![0]!.extensions.field]).toEqual(['CONFLICT', 'slug']);
  });
});

describe('column limits apply to every placement', () => {
  it('refuses alsoIn columns outside a limited editor’s subtree, on create and on update', async () => {
    tok.limited = await columnLimitedEditor(t, {
      site: 'miyi',
      column: 'zwdt',
      email: 'zwdt@miyi.cn',
      name: '动态信息员',
      password: 'Dong#Tai2026x',
    });
    const outside = await gql(
      'limited',
      'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", kind: "ARTICLE", title: "越权", alsoIn: ["/zwgk/fdzdgknr/zcwj"] }) { id } }',
    );
    expect(reasonOf(outside)).toBe('COLUMN_OUT_OF_SCOPE');
    const inside = await create({ title: '栏目内', alsoIn: ['/zwdt/tzgg'] }, 'limited');
    expect(paths(inside)).toEqual(['/zwdt/tzgg', '/zwdt/yw']);
    const moved = await update({ id: inside.id, alsoIn: ['/zwdt/tzgg', '/zc/zcwj'] }, 'limited');
    expect(reasonOf(moved)).toBe('COLUMN_OUT_OF_SCOPE');
    // A placement someone else made outside the subtree may stay when the limited editor saves.
    await update({ id: inside.id, alsoIn: ['/zwdt/tzgg', '/zc/zcwj'] }, 'editor');
    const kept = await update({ id: inside.id, title: '栏目内（改）', alsoIn: ['/zc/zcwj'] }, 'limited');
    expect(codeOf(kept)).toBe('OK');
  });
});

describe('nobody approves their own words', () => {
  it('lets whoever wrote a revision since the last publication sign level 1 at most', async () => {
    const { id } = await create({ title: '领导改稿' });
    await publish(id);
    // The approver rewrites the body of the live item, then the others sign levels 1 and 2.
    await update({ id, body: '<p>分管领导改写的正文</p>' }, 'approver');
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    await sign('editor', id);
    const queue = await gql('reviewer', '{ reviewQueue(site: "miyi") { level items { id } } }');
    expect(queue.data!.reviewQueue[1].items.map((i: { id: string }) => i.id)).toContain(id);
    await sign('reviewer', id);
    const approverQueue = await gql('approver', '{ reviewQueue(site: "miyi") { level items { id } } }');
    expect(approverQueue.data!.reviewQueue[2].items.map((i: { id: string }) => i.id)).not.toContain(id);
    const own = await sign('approver', id);
    expect(reasonOf(own)).toBe('SELF_REVIEW_NOT_ALLOWED');
  });

  it('does the same for a reviewer who edited the item at level 2', async () => {
    const { id } = await create({ title: '审核人改稿' });
    await update({ id, summary: '审核人加的摘要' }, 'reviewer');
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    await sign('editor', id);
    expect(reasonOf(await sign('reviewer', id))).toBe('SELF_REVIEW_NOT_ALLOWED');
  });
});

describe('dates that drive deadlines cannot be bent', () => {
  const future = new Date(Date.now() + 300 * 86_400_000);
  it.each([
    ['occurredAt', { occurredAt: future.toISOString(), importantLivelihood: true }],
    ['endedAt', { occurredAt: new Date(Date.now() - 3_600_000).toISOString(), endedAt: future.toISOString() }],
    ['issuedAt', { kind: 'POLICY_DOCUMENT', column: '/zc/zcwj', issuedAt: future.toISOString().slice(0, 10) }],
  ])('refuses %s in the future', async (field, over) => {
    const r = await gql('editor', 'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }', {
      i: { site: 'miyi', column: '/zwdt/yw', kind: 'ARTICLE', title: '未来', ...over },
    });
    expect([codeOf(r), reasonOf(r), r.errors![0]!.extensions.field]).toEqual([
      'BAD_USER_INPUT',
      'DATE_IN_FUTURE',
      field,
    ]);
    expect(r.status).toBe(400);
  });

  it('allows a small clock skew', async () => {
    const r = await create({ title: '时钟偏差', occurredAt: new Date(Date.now() + 60_000).toISOString() });
    expect(r.id).toBeTruthy();
  });

  it('freezes the deadline and timeliness of a publication; a later change is reviewed and audited', async () => {
    const occurred = new Date(Date.now() - 30 * 3_600_000);
    const deadline = new Date(occurred.getTime() + 86_400_000).toISOString();
    const { id } = await create({
      title: '迟发的民生活动',
      occurredAt: occurred.toISOString(),
      importantLivelihood: true,
    });
    await publish(id);
    expect(await publicItem(id)).toMatchObject({ deadlineAt: deadline, timeliness: 'LATE' });
    // An unreviewed draft edit moving the activity to an hour ago changes nothing public, nor the reports.
    const edited = await update({ id, occurredAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(edited.data!.updateItem).toMatchObject({ state: 'DRAFT', deadlineAt: deadline, timeliness: 'LATE' });
    expect(await publicItem(id)).toMatchObject({ deadlineAt: deadline, timeliness: 'LATE' });
    // The report's days are the city's (UTC+8): from 16:00 UTC the deadline's UTC date is the day before its own.
    const day = new Date(Date.parse(deadline) + 8 * 3_600_000).toISOString().slice(0, 10);
    const report = async () =>
      (await gql('admin', `{ timelinessReport(site: "miyi", from: "${day}", to: "${day}") { late } }`)).data!
        .timelinessReport.late as number;
    const lateBefore = await report();
    expect(lateBefore).toBeGreaterThanOrEqual(1);
    // Signed at all three levels, the new date does move it — and the publication's audit record says so.
    await publish(id);
    const after = await publicItem(id);
    expect(after.deadlineAt).not.toBe(deadline);
    expect(after.timeliness).toBe('ON_TIME');
    expect(await report()).toBe(lateBefore - 1);
    const audit = await gql(
      'admin',
      '{ auditLog(site: "miyi", action: "item.publish", first: 1) { edges { node { changes } } } }',
    );
    expect(audit.data!.auditLog.edges[0].node.changes.deadlineChanged).toEqual([deadline, after.deadlineAt]);
  });
});

describe('the 24-hour rule applies to what the seed says (2015 §2)', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

  it('counts 24 hours from the end of an important livelihood activity', async () => {
    const endedAt = hoursAgo(5);
    const r = await create({ title: '民生实事推进会', occurredAt: hoursAgo(10), endedAt, importantLivelihood: true });
    expect(r.deadlineAt).toBe(new Date(Date.parse(endedAt) + 86_400_000).toISOString());
  });

  it('gives other activity news no 24-hour deadline', async () => {
    const r = await create({ title: '一般工作动态', occurredAt: hoursAgo(30) });
    expect(r.deadlineAt).toBeNull();
  });

  it('refuses an item without the activity time its rule needs', async () => {
    const r = await gql('editor', 'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }', {
      i: { site: 'miyi', column: '/zwdt/yw', kind: 'ARTICLE', title: '没有时间', importantLivelihood: true },
    });
    expect([reasonOf(r), r.errors![0]!.extensions.field]).toEqual(['ACTIVITY_TIME_REQUIRED', 'occurredAt']);
    const col = await gql('admin', '{ site(code: "miyi") { columns { code children { id code } } } }');
    const notices = col
      .data!.site.columns.find((c: { code: string }) => c.code === 'zwdt')
      .children.find((c: { code: string }) => c.code === 'tzgg');
    await gql(
      'admin',
      'mutation($id: ID!) { updateColumn(input: { id: $id, deadlineRule: HOURS_AFTER_OCCURRED }) { id } }',
      {
        id: notices.id,
      },
    );
    const byColumn: GqlResult = await gql('editor', 'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }', {
      i: { site: 'miyi', column: '/zwdt/tzgg', kind: 'NOTICE', title: '停水通知' },
    });
    expect(reasonOf(byColumn)).toBe('ACTIVITY_TIME_REQUIRED');
    await gql('admin', 'mutation($id: ID!) { updateColumn(input: { id: $id, deadlineRule: BY_KIND }) { id } }', {
      id: notices.id,
    });
  });
});

describe('the working-day rule needs the issue date (2015 §2, 2017 §1.1: 3 working days after issue)', () => {
  const noticesId = async () => {
    const col = await gql('admin', '{ site(code: "miyi") { columns { code children { id code } } } }');
    return col
      .data!.site.columns.find((c: { code: string }) => c.code === 'zwdt')
      .children.find((c: { code: string }) => c.code === 'tzgg').id as string;
  };
  const setRule = async (rule: string) =>
    gql('admin', `mutation($id: ID!) { updateColumn(input: { id: $id, deadlineRule: ${rule} }) { id } }`, {
      id: await noticesId(),
    });
  const notice = (input: Record<string, unknown>) =>
    gql('editor', `mutation($i: CreateItemInput!) { createItem(input: $i) { ${ITEM} } }`, {
      i: { site: 'miyi', column: '/zwdt/tzgg', kind: 'NOTICE', source: '县政府办', body: '<p>正文</p>', ...input },
    });

  it('refuses to save an item without issuedAt in a WORKDAYS_AFTER_ISSUED column, and dates one with it', async () => {
    await setRule('WORKDAYS_AFTER_ISSUED');
    try {
      const r = await notice({ title: '没有成文日期的通知' });
      expect([reasonOf(r), r.errors![0]!.extensions.field]).toEqual(['ISSUE_DATE_REQUIRED', 'issuedAt']);
      const dated = await notice({ title: '有成文日期的通知', issuedAt: '2026-03-02' });
      // 3 working days after Monday 2026-03-02 → Thursday 03-05, to 24:00 China Standard Time.
      expect(dated.data!.createItem.deadlineAt).toBe('2026-03-05T16:00:00.000Z');
    } finally {
      await setRule('BY_KIND');
    }
  });

  it('refuses at level 3 an item saved before its column took the rule, until it has the date', async () => {
    const created = await notice({ title: '栏目规则后改的通知' });
    const id = created.data!.createItem.id as string;
    expect(created.data!.createItem.deadlineAt).toBeNull();
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    await sign('editor', id);
    await sign('reviewer', id);
    await setRule('WORKDAYS_AFTER_ISSUED');
    try {
      const r = await sign('approver', id);
      expect([reasonOf(r), r.errors![0]!.extensions.field]).toEqual(['ISSUE_DATE_REQUIRED', 'issuedAt']);
      // With the date (an edit: back through the three levels), it publishes with its deadline.
      await update({ id, issuedAt: '2026-03-02' });
      await publish(id);
      expect((await publicItem(id)).deadlineAt).toBe('2026-03-05T16:00:00.000Z');
    } finally {
      await setRule('BY_KIND');
    }
  });
});

describe('a pending placement into a column closed or merged before publication', () => {
  const column = async (code: string, name: string) => {
    const r = await gql('admin', 'mutation($i: CreateColumnInput!) { createColumn(input: $i) { id path } }', {
      i: { site: 'miyi', code, name },
    });
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data.createColumn as { id: string; path: string };
  };
  const lastPublish = async () =>
    (await gql('admin', '{ auditLog(site: "miyi", action: "item.publish", first: 1) { edges { node { changes } } } }'))
      .data!.auditLog.edges[0].node.changes as Record<string, unknown>;

  it('refuses level 3 with PLACEMENT_COLUMN_CLOSED naming the column; publishes once it is removed', async () => {
    const closing = await column('pending-closed', '待关闭栏目');
    const { id } = await create({ title: '待发布的新增栏目' });
    await publish(id);
    await update({ id, alsoIn: [closing.path] });
    await gql('admin', `mutation { closeColumn(id: "${closing.id}", reason: "无法保障更新") { status } }`);
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    await sign('editor', id);
    await sign('reviewer', id);
    const r = await sign('approver', id);
    expect([reasonOf(r), r.errors![0]!.extensions.field, r.status]).toEqual(['PLACEMENT_COLUMN_CLOSED', 'alsoIn', 412]);
    expect((r.errors![0]!.extensions as { details?: { columns?: string[] } }).details?.columns).toEqual([closing.path]);
    // Nothing of the pending version went public.
    expect(paths(await publicItem(id))).toEqual(['/zwdt/yw']);
    await update({ id, alsoIn: [] });
    await publish(id);
    expect(paths(await publicItem(id))).toEqual(['/zwdt/yw']);
  });

  it('cancels a scheduled publication whose pending placement column was closed before its time', async () => {
    const closing = await column('pending-sched', '待关闭定时栏目');
    const { id } = await create({ title: '定时发布的新增栏目' });
    await publish(id);
    await update({ id, alsoIn: [closing.path] });
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    await sign('editor', id);
    await sign('reviewer', id);
    const at = new Date(Date.now() + 3_600_000);
    const scheduled = await gql(
      'approver',
      `mutation { signOff(input: { id: "${id}", publishAt: "${at.toISOString()}" }) { state } }`,
    );
    expect(scheduled.data!.signOff.state).toBe('SCHEDULED');
    await gql('admin', `mutation { closeColumn(id: "${closing.id}", reason: "无法保障更新") { status } }`);
    const later = makeCtx({
      actor: { kind: 'system', name: 'test' },
      rootEm: t.platform.orm.em,
      directory: t.platform.directory,
      now: () => new Date(at.getTime() + 1000),
    });
    expect(await publishDueItems(later)).toBe(0);
    const after = await gql('editor', `{ item(id: "${id}") { state signOffs { level voided } } }`);
    expect(after.data!.item.state).toBe('SIGN_OFF');
    expect(paths(await publicItem(id))).toEqual(['/zwdt/yw']);
    const log = await gql(
      'admin',
      '{ auditLog(site: "miyi", action: "item.scheduleCancelled", first: 1) { edges { node { targetId changes } } } }',
    );
    expect(log.data!.auditLog.edges[0].node).toMatchObject({
      targetId: id,
      changes: { reason: 'PLACEMENT_COLUMN_CLOSED', columns: [closing.path] },
    });
  });

  it('moves a pending placement into a merged column to the merge target, audited', async () => {
    const source = await column('pending-merged', '待合并栏目');
    const target = await column('merge-target', '合并目标栏目');
    const { id } = await create({ title: '待发布的合并栏目' });
    await publish(id);
    await update({ id, alsoIn: [source.path] });
    const merged = await gql('admin', `mutation { mergeColumn(id: "${source.id}", into: "${target.id}") { status } }`);
    expect(merged.data!.mergeColumn.status).toBe('MERGED');
    await publish(id);
    expect(paths(await publicItem(id))).toEqual(['/zwdt/yw', target.path].sort());
    expect(await lastPublish()).toMatchObject({
      placementsRedirected: [{ from: source.path, to: target.path }],
    });
    const listed = await gql('', `{ items(site: "miyi", column: "${target.path}") { edges { node { id } } } }`);
    expect(listed.data!.items.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
  });
});

/** Content rules around the review: pre-publish checks, scheduling, column limits, revisions, deadlines, columns. */
import { makeCtx, publishDueItems } from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, columnLimitedEditor, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const tok: Record<string, string> = {};
const gql = (who: string, query: string, variables?: Record<string, unknown>) =>
  t.gql(query, variables, who ? tok[who] : undefined);
const create = async (input: Record<string, unknown>, who = 'editor') => {
  const r = await gql(
    who,
    'mutation($i: CreateItemInput!) { createItem(input: $i) { id state deadlineAt timeliness } }',
    {
      i: {
        site: 'miyi',
        column: '/zwdt/yw',
        kind: 'ARTICLE',
        source: '米易县融媒体中心',
        body: '<p>正文</p>',
        ...input,
      },
    },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.createItem as { id: string; state: string; deadlineAt: string | null; timeliness: string | null };
};
/** Submits and signs levels 1 and 2, leaving the item waiting for the approver. */
async function toSignOff(id: string) {
  await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
  await gql('editor', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
  await gql('reviewer', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
}
const approve = (id: string, extra = '') =>
  gql('approver', `mutation($id: ID!) { signOff(input: { id: $id ${extra} }) { state publishedAt scheduledAt } }`, {
    id,
  });

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

describe('pre-publish checks at level 3, each with its own code', () => {
  it.each([
    ['REQUIRED_FIELDS_MISSING', { source: null }],
    ['IMAGE_ALT_MISSING', { body: '<p>会场</p><img src="https://img.miyi.gov.cn/a.jpg">' }],
    ['IMAGE_ALT_MISSING', { images: [{ url: 'https://img.miyi.gov.cn/b.jpg' }] }],
    ['PERSONAL_DATA_FOUND', { body: '<p>联系人：张三 13812345678</p>' }],
    ['PERSONAL_DATA_FOUND', { body: '<p>身份证号 11010519491231002X</p>' }],
  ])('%s', async (reason, over) => {
    const { id } = await create({ title: `检查 ${reason}`, ...over });
    await toSignOff(id);
    const r = await approve(id);
    expect(reasonOf(r)).toBe(reason);
    expect(codeOf(r)).toBe('PRECONDITION_FAILED');
  });

  it('publishes personal data only when the approver confirms it with a reason', async () => {
    const { id } = await create({ title: '获奖名单公示', body: '<p>获奖人联系电话 13812345678</p>' });
    await toSignOff(id);
    const r = await gql(
      'approver',
      'mutation($id: ID!) { signOff(input: { id: $id, personalDataReason: "经本人书面同意公示" }) { state signOffs { personalDataReason } } }',
      { id },
    );
    expect(r.data!.signOff.state).toBe('PUBLISHED');
    expect(r.data!.signOff.signOffs.at(-1).personalDataReason).toBe('经本人书面同意公示');
  });
});

describe('scheduled publication', () => {
  it('waits for its time in a persisted job, then publishes with the time it happened', async () => {
    const { id } = await create({ title: '定时发布的通知' });
    await toSignOff(id);
    const at = new Date(Date.now() + 3_600_000);
    const r = await approve(id, `, publishAt: "${at.toISOString()}"`);
    expect(r.data!.signOff).toMatchObject({ state: 'SCHEDULED', publishedAt: null, scheduledAt: at.toISOString() });
    expect((await t.gql(`{ item(id: "${id}") { id } }`)).data).toEqual({ item: null });
    // The job is in PostgreSQL (a restart does not lose it).
    const c = new pg.Client({ connectionString: t.db.adminUrl });
    await c.connect();
    const jobs = await c.query(
      "select start_after from pgboss.job where name = 'publish-item' and data->>'itemId' = $1",
      [id],
    );
    await c.end();
    expect(jobs.rows).toHaveLength(1);
    expect(new Date(jobs.rows[0].start_after).getTime()).toBe(at.getTime());
    // Not before its time…
    expect(await publishDueItems(t.platform.systemCtx('test'))).toBe(0);
    // …and at its time (the minute sweep, as after a restart).
    const later = new Date(at.getTime() + 30_000);
    const ctx = makeCtx({
      actor: { kind: 'system', name: 'test' },
      rootEm: t.platform.orm.em,
      directory: t.platform.directory,
      now: () => later,
    });
    expect(await publishDueItems(ctx)).toBe(1);
    const pub = await t.gql(`{ item(id: "${id}") { state publishedAt } }`);
    expect(pub.data!.item).toEqual({ state: 'PUBLISHED', publishedAt: later.toISOString() });
  });
});

describe('column-limited editors', () => {
  it('write inside their subtree only', async () => {
    tok.limited = await columnLimitedEditor(t, {
      site: 'miyi',
      column: 'zwdt',
      email: 'xiangzhen@miyi.cn',
      name: '乡镇信息员',
      password: 'Xiang#Zhen2026',
    });
    const inside = await gql(
      'limited',
      'mutation { createItem(input: { site: "miyi", column: "/zwdt/xzdt", kind: "ARTICLE", title: "攀莲镇动态" }) { id } }',
    );
    expect(codeOf(inside)).toBe('OK');
    const outside = await gql(
      'limited',
      'mutation { createItem(input: { site: "miyi", column: "/zc/zcwj", kind: "ARTICLE", title: "越权" }) { id } }',
    );
    expect(reasonOf(outside)).toBe('COLUMN_OUT_OF_SCOPE');
  });
});

describe('review queue', () => {
  it('shows each person what waits for them, by level', async () => {
    const { id } = await create({ title: '待审稿件' });
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    const q = '{ reviewQueue(site: "miyi") { level role items { id } } }';
    const inQueue = (r: { data: Record<string, any> | null }, level: number) =>
      r.data!.reviewQueue.find((l: { level: number }) => l.level === level).items.map((i: { id: string }) => i.id);
    expect(inQueue(await gql('editor', q), 1)).toContain(id);
    expect(inQueue(await gql('reviewer', q), 1)).not.toContain(id); // reviewers do not hold the EDITOR role here
    await gql('editor', 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
    expect(inQueue(await gql('reviewer', q), 2)).toContain(id);
    expect(inQueue(await gql('editor', q), 2)).not.toContain(id);
  });
});

describe('revisions', () => {
  it('lists, diffs and restores revisions; restoring makes a new revision', async () => {
    const { id } = await create({ title: '第一版', body: '<p>甲</p><p>乙</p>' });
    await gql(
      'editor',
      `mutation { updateItem(input: { id: "${id}", title: "第二版", body: "<p>甲</p><p>丙</p>" }) { id } }`,
    );
    const revs = await gql('editor', `{ itemRevisions(id: "${id}") { number title createdBy contentHash } }`);
    expect(revs.data!.itemRevisions.map((r: { number: number; title: string }) => [r.number, r.title])).toEqual([
      [2, '第二版'],
      [1, '第一版'],
    ]);
    const diff = await gql(
      'editor',
      `{ itemRevisionDiff(id: "${id}", from: 1, to: 2) { changedFields { field before after } bodyChanged body { op text } } }`,
    );
    expect(diff.data!.itemRevisionDiff.changedFields).toEqual([{ field: 'title', before: '第一版', after: '第二版' }]);
    expect(diff.data!.itemRevisionDiff.body.filter((p: { op: string }) => p.op !== 'SAME')).toEqual([
      { op: 'REMOVED', text: '乙' },
      { op: 'ADDED', text: '丙' },
    ]);
    const restored = await gql('editor', `mutation { restoreRevision(id: "${id}", revision: 1) { revision title } }`);
    expect(restored.data!.restoreRevision).toEqual({ revision: 3, title: '第一版' });
    const stale = await gql(
      'editor',
      `mutation { updateItem(input: { id: "${id}", baseRevision: 2, title: "x" }) { id } }`,
    );
    expect([codeOf(stale), stale.errors![0]!.extensions.field]).toEqual(['CONFLICT', 'baseRevision']);
  });
});

describe('deadlines', () => {
  it('gives activity news 24 hours from the activity, and reports it overdue and in the timeliness report', async () => {
    const occurredAt = new Date(Date.now() - 30 * 3_600_000);
    // 2015 §2: important livelihood activities (the flag) within 24 hours.
    const late = await create({
      title: '县长调研乡村振兴工作',
      occurredAt: occurredAt.toISOString(),
      importantLivelihood: true,
    });
    expect(late.deadlineAt).toBe(new Date(occurredAt.getTime() + 86_400_000).toISOString());
    expect(late.timeliness).toBe('OVERDUE');
    const soon = await create({
      title: '县政府常务会议',
      occurredAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
      importantLivelihood: true,
    });
    expect(soon.timeliness).toBe('DUE_SOON');
    const overdue = await gql('admin', '{ overdueItems(site: "miyi") { id timeliness } }');
    expect(overdue.data!.overdueItems.map((i: { id: string }) => i.id)).toContain(late.id);
    expect(overdue.data!.overdueItems.map((i: { id: string }) => i.id)).not.toContain(soon.id);
    const from = new Date(Date.now() - 7 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 2 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const report = await gql(
      'admin',
      `{ timelinessReport(site: "miyi", from: "${from}", to: "${to}") { total onTime late overdue dueSoon onTimeRate } }`,
    );
    expect(report.data!.timelinessReport.overdue).toBeGreaterThanOrEqual(1);
    expect(report.data!.timelinessReport.dueSoon).toBeGreaterThanOrEqual(1);
    const bad = await gql('admin', `{ timelinessReport(site: "miyi", from: "${to}", to: "${from}") { total } }`);
    expect(bad.errors![0]!.extensions.field).toBe('to');
  });

  it('follows a column’s own deadline rule', async () => {
    const cols = await gql('admin', '{ site(code: "miyi") { columns { code children { id code } } } }');
    const sjjs = cols
      .data!.site.columns.find((c: { code: string }) => c.code === 'zwdt')
      .children.find((c: { code: string }) => c.code === 'sjjs');
    const set = await gql(
      'admin',
      `mutation { updateColumn(input: { id: "${sjjs.id}", deadlineRule: HOURS_AFTER_OCCURRED, deadlineAmount: 48 }) { deadlineRule deadlineAmount } }`,
    );
    expect(set.data!.updateColumn).toEqual({ deadlineRule: 'HOURS_AFTER_OCCURRED', deadlineAmount: 48 });
    const occurredAt = new Date(Date.now() - 3_600_000);
    const item = await create({
      title: '转载：省政府常务会议',
      column: '/zwdt/sjjs',
      occurredAt: occurredAt.toISOString(),
    });
    expect(item.deadlineAt).toBe(new Date(occurredAt.getTime() + 48 * 3_600_000).toISOString());
  });

  it('refuses a normative document issued in a year without calendar data', async () => {
    const r = await gql(
      'editor',
      'mutation { createItem(input: { site: "miyi", column: "/zc/zcwj", kind: "POLICY_DOCUMENT", title: "早年文件", issuedAt: "2003-03-02" }) { id } }',
    );
    expect(reasonOf(r)).toBe('CALENDAR_YEAR_MISSING');
  });
});

describe('merging and closing columns (2015 §14)', () => {
  it('moves a column’s items into another and remembers where they went', async () => {
    const cols = await gql('admin', '{ site(code: "miyi") { columns { code children { id code path } } } }');
    const zwdt = cols.data!.site.columns.find((c: { code: string }) => c.code === 'zwdt').children;
    const tpsp = zwdt.find((c: { code: string }) => c.code === 'tpsp');
    const yw = zwdt.find((c: { code: string }) => c.code === 'yw');
    const { id } = await create({ title: '图片新闻', column: '/zwdt/tpsp' });
    const r = await gql(
      'admin',
      `mutation { mergeColumn(id: "${tpsp.id}", into: "${yw.id}") { status visible mergedInto { path } } }`,
    );
    expect(r.data!.mergeColumn).toEqual({ status: 'MERGED', visible: false, mergedInto: { path: '/zwdt/yw' } });
    const item = await gql('editor', `{ item(id: "${id}") { column { path } placements { path } } }`);
    expect(item.data!.item).toEqual({ column: { path: '/zwdt/yw' }, placements: [{ path: '/zwdt/yw' }] });
    expect(
      reasonOf(
        await gql(
          'editor',
          'mutation { createItem(input: { site: "miyi", column: "/zwdt/tpsp", kind: "ARTICLE", title: "x" }) { id } }',
        ),
      ),
    ).toBe('COLUMN_CLOSED');
  });

  it('closes a column; a closed column takes nothing more and cannot be deleted while it holds items', async () => {
    const cols = await gql('admin', '{ site(code: "miyi") { columns { code children { id code } } } }');
    const bmdt = cols
      .data!.site.columns.find((c: { code: string }) => c.code === 'zwdt')
      .children.find((c: { code: string }) => c.code === 'bmdt');
    const { id } = await create({ title: '部门动态一则', column: '/zwdt/bmdt' });
    await toSignOff(id);
    const closed = await gql('admin', `mutation { closeColumn(id: "${bmdt.id}", reason: "无法保证更新") { status } }`);
    expect(closed.data!.closeColumn.status).toBe('CLOSED');
    expect(reasonOf(await approve(id))).toBe('COLUMN_CLOSED');
    expect(reasonOf(await gql('admin', `mutation { deleteColumn(id: "${bmdt.id}") }`))).toBe('COLUMN_NOT_EMPTY');
  });
});

describe('translations (2015 §8)', () => {
  it('flags a translation stale when its source has a newer published revision', async () => {
    const src = await create({ title: '米易县概况' });
    await toSignOff(src.id);
    await approve(src.id);
    const en = await gql(
      'editor',
      `mutation { createItem(input: { site: "miyi", column: "/english", kind: "ARTICLE", locale: "en", translationOf: "${src.id}", title: "About Miyi", body: "<p>Miyi County</p>", source: "Miyi" }) { id translationStale translationOf { id } } }`,
    );
    expect(en.data!.createItem).toMatchObject({ translationStale: false, translationOf: { id: src.id } });
    await gql('editor', `mutation { updateItem(input: { id: "${src.id}", summary: "更新" }) { id } }`);
    await toSignOff(src.id);
    await approve(src.id);
    const after = await gql(
      'editor',
      `{ item(id: "${en.data!.createItem.id}") { translationStale } source: item(id: "${src.id}") { translations { locale } } }`,
    );
    expect(after.data).toEqual({ item: { translationStale: true }, source: { translations: [{ locale: 'en' }] } });
  });
});

describe('what the public sees of columns that close', () => {
  it('takes items of a hidden column off the public site, and cancels a scheduled publication into a closed one', async () => {
    const cols = await gql('admin', '{ site(code: "miyi") { columns { code children { id code } } } }');
    const zwdt = cols.data!.site.columns.find((c: { code: string }) => c.code === 'zwdt').children;
    const sjjs = zwdt.find((c: { code: string }) => c.code === 'sjjs');
    const tzgg = zwdt.find((c: { code: string }) => c.code === 'tzgg');
    // Published, then its column is hidden: gone from the public, still there for the site's people.
    // (this column counts from the activity: see 'follows a column’s own deadline rule')
    const { id } = await create({
      title: '上级精神传达',
      column: '/zwdt/sjjs',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    await toSignOff(id);
    await approve(id);
    expect((await t.gql(`{ item(id: "${id}") { id column { path } } }`)).data).toEqual({
      item: { id, column: { path: '/zwdt/sjjs' } },
    });
    await gql('admin', `mutation { updateColumn(input: { id: "${sjjs.id}", visible: false }) { visible } }`);
    expect((await t.gql(`{ item(id: "${id}") { id } }`)).data).toEqual({ item: null });
    expect((await gql('editor', `{ item(id: "${id}") { id live } }`)).data).toEqual({ item: { id, live: true } });
    // Scheduled, then its column is closed before the time: not published; the approver decides again.
    const sched = await create({ title: '定时发布的公告', column: '/zwdt/tzgg' });
    await toSignOff(sched.id);
    const at = new Date(Date.now() + 3_600_000);
    await approve(sched.id, `, publishAt: "${at.toISOString()}"`);
    await gql('admin', `mutation { closeColumn(id: "${tzgg.id}") { status } }`);
    const later = makeCtx({
      actor: { kind: 'system', name: 'test' },
      rootEm: t.platform.orm.em,
      directory: t.platform.directory,
      now: () => new Date(at.getTime() + 1000),
    });
    expect(await publishDueItems(later)).toBe(0);
    const after = await gql('approver', `{ item(id: "${sched.id}") { state publishedAt signOffs { level voided } } }`);
    expect(after.data!.item).toMatchObject({ state: 'SIGN_OFF', publishedAt: null });
    expect(after.data!.item.signOffs.find((s: { level: number }) => s.level === 3).voided).toBe(true);
  });

  it('clears a translation’s stale mark when the translation is published again', async () => {
    const src = await create({ title: '米易县简介' });
    await toSignOff(src.id);
    await approve(src.id);
    const en = (
      await gql(
        'editor',
        `mutation { createItem(input: { site: "miyi", column: "/english", kind: "ARTICLE", locale: "en", translationOf: "${src.id}", title: "Miyi at a glance", body: "<p>Miyi</p>", source: "Miyi" }) { id } }`,
      )
    ).data!.createItem.id;
    await gql('editor', `mutation { updateItem(input: { id: "${src.id}", summary: "新版" }) { id } }`);
    await toSignOff(src.id);
    await approve(src.id);
    expect((await gql('editor', `{ item(id: "${en}") { translationStale } }`)).data!.item.translationStale).toBe(true);
    await gql('editor', `mutation { updateItem(input: { id: "${en}", body: "<p>Miyi, updated</p>" }) { id } }`);
    await toSignOff(en);
    await approve(en);
    expect((await gql('editor', `{ item(id: "${en}") { translationStale } }`)).data!.item.translationStale).toBe(false);
  });
});

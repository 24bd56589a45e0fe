/**
 * Issue 7, part A: what the seeds ask that the templates and rules contradicted (2017 §1.3, §2) — 执法监督
 * columns on department sites, no blank or URL-less public columns, taking a site down at once, and the
 * 互动交流 handler role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const tok: Record<string, string> = {};
const gql = (who: string, query: string, variables?: Record<string, unknown>) =>
  t.gql(query, variables, who ? tok[who] : undefined);
type Col = { code: string; path: string; type: string; visible: boolean; children: Col[] };
const COLUMNS =
  '{ site(code: "miyi") { columns { code path type visible children { code path type visible children { code path } } } } }';
const flat = (cols: Col[]): Col[] => cols.flatMap((c) => [c, ...flat(c.children ?? [])]);
const publicPaths = async () => flat((await gql('', COLUMNS)).data!.site.columns as Col[]).map((c) => c.path);

beforeAll(async () => {
  t = await startTestApp();
  for (const [k, email] of Object.entries({
    platform: demo.platformAdmin,
    city: demo.admin('panzhihua'),
    admin: demo.admin('miyi'),
    eduAdmin: demo.admin('edu'),
    editor: demo.editor('miyi'),
    reviewer: demo.reviewer('miyi'),
    approver: demo.approver('miyi'),
  })) {
    tok[k] = await t.tokenFor(email);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('department sites disclose law enforcement (2017 §1.3 执法监督)', () => {
  it('gives a department site 行政执法 and 监督检查 under 法定主动公开内容', async () => {
    const r = await gql(
      'eduAdmin',
      '{ site(code: "edu") { columns { path children { path children { path name } } } } }',
    );
    const all = flat(r.data!.site.columns as Col[]);
    const fdzdgknr = all.find((c) => c.path === '/zwgk/fdzdgknr')!;
    expect(fdzdgknr.children.map((c) => [c.path, (c as unknown as { name: string }).name])).toEqual(
      expect.arrayContaining([
        ['/zwgk/fdzdgknr/xzzf', '行政执法'],
        ['/zwgk/fdzdgknr/jdjc', '监督检查'],
      ]),
    );
  });
});

describe('no blank public columns, no link columns without a URL (2017 §1.3)', () => {
  it('hides link columns without a URL in the demo city too, and shows them once they have one', async () => {
    const own = flat((await gql('admin', COLUMNS)).data!.site.columns as Col[]);
    const links = own.filter((c) => c.type === 'LINK');
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((c) => !c.visible)).toBe(true);
    const bsfw = (await gql('admin', '{ site(code: "miyi") { columns { id code } } }')).data!.site.columns.find(
      (c: { code: string }) => c.code === 'bsfw',
    );
    expect(await publicPaths()).not.toContain('/bsfw');
    const set = await gql(
      'admin',
      'mutation($id: ID!) { updateColumn(input: { id: $id, linkUrl: "https://www.sczwfw.gov.cn/", visible: true }) { visible } }',
      { id: bsfw.id },
    );
    expect(codeOf(set)).toBe('OK');
    expect(await publicPaths()).toContain('/bsfw');
  });

  it('shows a template column to the public only once it holds a published item', async () => {
    const before = await publicPaths();
    expect(before).not.toContain('/zwdt');
    expect(before).not.toContain('/zwdt/yw');
    const created = await gql(
      'editor',
      'mutation { createItem(input: { site: "miyi", column: "/zwdt/yw", kind: "ARTICLE", title: "首条要闻", source: "县融媒体中心", body: "<p>正文</p>" }) { id } }',
    );
    const id = created.data!.createItem.id;
    await gql('editor', 'mutation($id: ID!) { submitItem(id: $id) { state } }', { id });
    expect(await publicPaths()).not.toContain('/zwdt/yw'); // a draft is not content yet
    for (const who of ['editor', 'reviewer', 'approver'])
      await gql(who, 'mutation($id: ID!) { signOff(input: { id: $id }) { state } }', { id });
    const after = await publicPaths();
    expect(after).toEqual(expect.arrayContaining(['/zwdt', '/zwdt/yw']));
    expect(after).not.toContain('/zwdt/tzgg'); // its blank siblings stay out
    // People of the site still see every column.
    expect(flat((await gql('admin', COLUMNS)).data!.site.columns as Col[]).map((c) => c.path)).toContain('/zwdt/tzgg');
  });
});

describe('the 互动交流 handler', () => {
  it('manages the content of the interaction columns, and only of those', async () => {
    await gql(
      'admin',
      'mutation { createUser(input: { email: "hudong@miyi.cn", name: "互动交流办理员", password: "Hu#Dong2026xyz", site: "miyi" }) { id } }',
    );
    const m = await gql(
      'admin',
      'mutation { addMember(input: { site: "miyi", email: "hudong@miyi.cn", roles: [INTERACTION_HANDLER] }) { id } }',
    );
    expect(codeOf(m)).toBe('OK');
    tok.handler = await t.tokenFor('hudong@miyi.cn', 'Hu#Dong2026xyz');
    const mk = (column: string) =>
      gql(
        'handler',
        `mutation { createItem(input: { site: "miyi", column: "${column}", kind: "NOTICE", title: "网上调查结果" }) { id } }`,
      );
    const inside = await mk('/hdjl/wsdc');
    expect(codeOf(inside)).toBe('OK');
    const id = inside.data!.createItem.id;
    const edited = await gql('handler', `mutation { updateItem(input: { id: "${id}", summary: "结果公布" }) { id } }`);
    expect(codeOf(edited)).toBe('OK');
    expect(codeOf(await gql('handler', `mutation { submitItem(id: "${id}") { state } }`))).toBe('OK');
    expect(reasonOf(await mk('/zwdt/yw'))).toBe('COLUMN_OUT_OF_SCOPE');
  });
});

describe('taking a site down at once (2017 §2 无保障能力的立即关停)', () => {
  const TAKE_DOWN =
    'mutation($c: String!) { takeSiteDown(code: $c, reason: "长期未更新，无保障能力", notice: "本网站已关停，相关信息请访问攀枝花市人民政府门户网站。") { code status takenDownAt closingReason closingNotice } }';

  it('is for platform admins only, not for the admins above the site', async () => {
    expect(reasonOf(await gql('city', TAKE_DOWN, { c: 'edu' }))).toBe('FORBIDDEN');
    expect(reasonOf(await gql('eduAdmin', TAKE_DOWN, { c: 'edu' }))).toBe('FORBIDDEN');
  });

  it('archives the site now, with its reason and closing notice stored and audited', async () => {
    const r = await gql('platform', TAKE_DOWN, { c: 'edu' });
    expect(r.data!.takeSiteDown).toMatchObject({
      code: 'edu',
      status: 'ARCHIVED',
      closingReason: '长期未更新，无保障能力',
      closingNotice: '本网站已关停，相关信息请访问攀枝花市人民政府门户网站。',
    });
    expect(r.data!.takeSiteDown.takenDownAt).toBeTruthy();
    // The public reads the notice; the site is read-only.
    const pub = await gql('', '{ site(code: "edu") { status closingNotice } }');
    expect(pub.data!.site).toEqual({
      status: 'ARCHIVED',
      closingNotice: '本网站已关停，相关信息请访问攀枝花市人民政府门户网站。',
    });
    const log = await gql(
      'platform',
      '{ auditLog(site: "edu", action: "site.takeDown") { edges { node { changes } } } }',
    );
    expect(log.data!.auditLog.edges[0].node.changes).toMatchObject({
      status: ['ONLINE', 'ARCHIVED'],
      immediate: true,
      reason: '长期未更新，无保障能力',
    });
    expect(reasonOf(await gql('platform', TAKE_DOWN, { c: 'edu' }))).toBe('SITE_ARCHIVED');
  });

  it('keeps the 30-day closing notice as the default path', async () => {
    const q = 'mutation($c: String!, $s: SiteStatus!) { setSiteStatus(code: $c, status: $s) { status } }';
    expect((await gql('platform', q, { c: 'miyi', s: 'CLOSING' })).data!.setSiteStatus.status).toBe('CLOSING');
    expect(reasonOf(await gql('platform', q, { c: 'miyi', s: 'ARCHIVED' }))).toBe('CLOSING_NOTICE_PERIOD');
  });
});

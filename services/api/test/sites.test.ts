import { creditCodeCheck } from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, reasonOf, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: string;

const PROVISION = `mutation($input: ProvisionSiteInput!) { provisionSite(input: $input) {
  code name kind status siteIdCode parent { code } organisation { name }
  domains { host primary } columns { code path locked visible children { code path locked } }
  members { roles user { email } }
} }`;

/** A fresh, valid 统一社会信用代码 per call (机关 11, division 510400), so that only what a case names clashes. */
let serial = 100;
const freshCreditCode = () => {
  const first17 = `11510400${String(serial++).padStart(9, '0')}`;
  return first17 + creditCodeCheck(first17);
};

const health = (over: Record<string, unknown> = {}) => {
  const org = (over.organisation ?? {}) as { name?: string; code?: string | null };
  return {
    code: 'health',
    name: '攀枝花市卫生健康委员会',
    kind: 'DEPARTMENT',
    parentCode: 'panzhihua',
    siteIdCode: '5104000003',
    domains: ['health.panzhihua.gov.cn', 'health.localhost'],
    admin: { email: 'admin@health.zhanqun.local', name: '卫健委管理员', password: 'Weijian#Guard2026' },
    ...over,
    organisation: {
      name: org.name ?? (over.name as string | undefined) ?? '攀枝花市卫生健康委员会',
      code: org.code === undefined ? freshCreditCode() : org.code,
    },
  };
};

async function countRows(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: t.db.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from ${table}`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.tokenFor(demo.platformAdmin);
});
afterAll(async () => {
  await t?.close();
});

describe('provisionSite', () => {
  it('creates the site, its template columns and its first admin in one go', async () => {
    const r = await t.gql(PROVISION, { input: health() }, admin);
    expect(r.errors).toBeUndefined();
    const s = r.data!.provisionSite;
    expect(s).toMatchObject({ code: 'health', kind: 'DEPARTMENT', status: 'PREPARING', parent: { code: 'panzhihua' } });
    expect(s.domains).toEqual([
      { host: 'health.panzhihua.gov.cn', primary: true },
      { host: 'health.localhost', primary: false },
    ]);
    const zwgk = s.columns.find((c: { code: string }) => c.code === 'zwgk');
    expect(zwgk.locked).toBe(true);
    expect(zwgk.children.map((c: { code: string; locked: boolean }) => [c.code, c.locked])).toEqual([
      ['xxgkzn', true],
      ['xxgkzd', true],
      ['fdzdgknr', true],
      ['xxgknb', true],
    ]);
    // A new site shows no blank columns until its admins switch them on.
    expect(s.columns.every((c: { visible: boolean }) => !c.visible)).toBe(true);
    expect(s.members).toEqual([{ roles: ['SITE_ADMIN'], user: { email: 'admin@health.zhanqun.local' } }]);
    const login = await t.gql(
      'mutation { login(email: "admin@health.zhanqun.local", password: "Weijian#Guard2026") { user { name } } }',
    );
    expect(login.data!.login.user.name).toBe('卫健委管理员');
  });

  it('uses the county-portal template for a county portal', async () => {
    const r = await t.gql(
      `{ site(code: "miyi") { columns { code name children { path name } } } }`,
      {},
      await t.tokenFor(demo.admin('miyi')),
    );
    const names = r.data!.site.columns.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['走进米易', '政务动态', '政府信息公开', '互动交流']));
    const hdjl = r.data!.site.columns.find((c: { code: string }) => c.code === 'hdjl');
    expect(hdjl.children.map((c: { name: string }) => c.name)).toContain('县长信箱');
  });

  it.each([
    [
      'a township site',
      { kind: 'TOWNSHIP', name: '攀莲镇人民政府', code: 'panlian' },
      'TOWNSHIP_SITE_NOT_ALLOWED',
      'kind',
    ],
    [
      'a township by name',
      { kind: 'COUNTY_PORTAL', name: '攀莲镇人民政府', code: 'panlian' },
      'TOWNSHIP_SITE_NOT_ALLOWED',
      'name',
    ],
    [
      'a county department',
      { parentCode: 'miyi', name: '米易县教育局', code: 'miyiedu' },
      'COUNTY_DEPARTMENT_SITE_NOT_ALLOWED',
      'parentCode',
    ],
    [
      'a second city portal',
      { kind: 'CITY_PORTAL', parentCode: null, code: 'city2', name: '另一个市人民政府' },
      'CONFLICT',
      'kind',
    ],
    ['a bad 网站标识码', { siteIdCode: '51040' }, 'INVALID_INPUT', 'siteIdCode'],
    ['a bad code', { code: 'Health!' }, 'INVALID_INPUT', 'code'],
    ['a taken code', { code: 'edu' }, 'CONFLICT', 'code'],
    [
      'a taken 网站标识码',
      { code: 'h2', siteIdCode: '5104000002', organisation: { name: '某单位' } },
      'CONFLICT',
      'siteIdCode',
    ],
    [
      'a second site of one organisation',
      { code: 'edu2', siteIdCode: '5104000077', organisation: { name: '攀枝花市教育局' } },
      'ONE_SITE_PER_ORGANISATION',
      'organisation.name',
    ],
    [
      'a host of another site',
      { code: 'h3', siteIdCode: '5104000078', organisation: { name: '某单位3' }, domains: ['edu.localhost'] },
      'CONFLICT',
      'domains',
    ],
    ['a missing parent', { code: 'h4', parentCode: 'nosuch' }, 'NOT_FOUND', 'parentCode'],
    // 2015 §9: one site per organisation, by its 统一社会信用代码 (GB 32100-2015), required.
    [
      'a second site for the same credit code, under another name',
      {
        code: 'edu3',
        siteIdCode: '5104000076',
        organisation: { name: '攀枝花市教育体育局', code: '11510400008851003K' },
      },
      'ONE_SITE_PER_ORGANISATION',
      'organisation.code',
    ],
    [
      'a missing credit code',
      { code: 'h6', organisation: { name: '某单位6', code: null } },
      'INVALID_INPUT',
      'organisation.code',
    ],
    [
      'a credit code with a wrong check character',
      { code: 'h7', organisation: { name: '某单位7', code: '11510400008851003A' } },
      'INVALID_CREDIT_CODE',
      'organisation.code',
    ],
    [
      'a weak admin password',
      {
        code: 'h5',
        siteIdCode: '5104000079',
        organisation: { name: '某单位5' },
        domains: ['h5.localhost'],
        admin: { email: 'h5@x.cn', name: 'H', password: 'short' },
      },
      'WEAK_PASSWORD',
      'admin.password',
    ],
  ])('refuses %s', async (_label, over, reason, field) => {
    // The health admin exists after the first test; name an existing user without a password.
    const r = await t.gql(PROVISION, { input: health({ admin: { email: demo.admin('edu') }, ...over }) }, admin);
    expect(r.data).toBeNull();
    expect([reasonOf(r), codeOf(r)]).toContain(reason);
    expect(r.errors![0]!.extensions.field).toBe(field);
  });

  it('says where township content belongs', async () => {
    const r = await t.gql(PROVISION, { input: health({ kind: 'TOWNSHIP', code: 'tw' }) }, admin);
    expect(r.errors![0]!.message).toMatch(/county portal/);
  });

  it('leaves nothing behind when any part fails', async () => {
    const before = await Promise.all(
      ['site', 'site_column', 'site_domain', 'app_user', 'membership', 'audit_record'].map(countRows),
    );
    // The admin e-mail is new (user would be created) but the host is taken: the whole provisioning rolls back.
    const r = await t.gql(
      PROVISION,
      {
        input: health({
          code: 'rollback',
          siteIdCode: '5104000091',
          organisation: { name: '回滚测试单位' },
          domains: ['fresh.localhost', 'miyi.localhost'],
          admin: { email: 'new-admin@x.cn', name: 'N', password: 'Fresh#Admin2026' },
        }),
      },
      admin,
    );
    expect(codeOf(r)).toBe('CONFLICT');
    const after = await Promise.all(
      ['site', 'site_column', 'site_domain', 'app_user', 'membership', 'audit_record'].map(countRows),
    );
    expect(after).toEqual(before);
  });
});

describe('delegated administration', () => {
  it('lets the city portal admin provision a department under the city', async () => {
    const city = await t.tokenFor(demo.admin('panzhihua'));
    const r = await t.gql(
      PROVISION,
      {
        input: health({
          code: 'water',
          name: '攀枝花市水务局',
          siteIdCode: '5104000004',
          domains: ['water.localhost'],
          admin: { email: demo.editor('edu') },
        }),
      },
      city,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.provisionSite.members[0].user.email).toBe(demo.editor('edu'));
    // …and manage it afterwards, as an ancestor admin.
    const u = await t.gql(
      'mutation { updateSite(input: { code: "water", footer: { contactPhone: "0812-1234567" } }) { footer { contactPhone } } }',
      {},
      city,
    );
    expect(u.data!.updateSite.footer.contactPhone).toBe('0812-1234567');
  });

  it('does not let a site admin change their own site record or provision', async () => {
    const edu = await t.tokenFor(demo.admin('edu'));
    expect(codeOf(await t.gql('mutation { updateSite(input: { code: "edu", name: "改名" }) { code } }', {}, edu))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await t.gql('mutation { setSiteStatus(code: "edu", status: CLOSING) { code } }', {}, edu))).toBe(
      'FORBIDDEN',
    );
  });

  it('does not let editors, reviewers or approvers administer', async () => {
    for (const who of [demo.editor('miyi'), demo.reviewer('miyi'), demo.approver('miyi')]) {
      const token = await t.tokenFor(who);
      const r = await t.gql(
        'mutation { createColumn(input: { site: "miyi", code: "x", name: "X" }) { id } }',
        {},
        token,
      );
      expect(codeOf(r), who).toBe('FORBIDDEN');
    }
  });

  it('refuses anonymous callers', async () => {
    const r = await t.gql(PROVISION, { input: health({ code: 'anon' }) });
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('site status', () => {
  it('moves through its states and refuses invalid transitions', async () => {
    const q =
      'mutation($c: String!, $s: SiteStatus!) { setSiteStatus(code: $c, status: $s) { status statusChangedAt } }';
    expect(reasonOf(await t.gql(q, { c: 'health', s: 'CLOSING' }, admin))).toBe('INVALID_STATUS_TRANSITION');
    expect((await t.gql(q, { c: 'health', s: 'ONLINE' }, admin)).data!.setSiteStatus.status).toBe('ONLINE');
    expect((await t.gql(q, { c: 'health', s: 'CLOSING' }, admin)).data!.setSiteStatus.status).toBe('CLOSING');
    // The closing notice must stay up for 30 days (ARC-02).
    expect(reasonOf(await t.gql(q, { c: 'health', s: 'ARCHIVED' }, admin))).toBe('CLOSING_NOTICE_PERIOD');
  });

  it('makes an archived site read-only', async () => {
    const q = 'mutation($c: String!, $s: SiteStatus!) { setSiteStatus(code: $c, status: $s) { status } }';
    await t.gql(
      PROVISION,
      {
        input: health({
          code: 'gone',
          name: '攀枝花市已撤销局',
          siteIdCode: '5104000005',
          domains: ['gone.localhost'],
          admin: { email: demo.admin('edu') },
        }),
      },
      admin,
    );
    expect((await t.gql(q, { c: 'gone', s: 'ARCHIVED' }, admin)).data!.setSiteStatus.status).toBe('ARCHIVED');
    expect(reasonOf(await t.gql(q, { c: 'gone', s: 'ONLINE' }, admin))).toBe('SITE_ARCHIVED');
    expect(
      reasonOf(
        await t.gql('mutation { createColumn(input: { site: "gone", code: "x", name: "X" }) { id } }', {}, admin),
      ),
    ).toBe('SITE_ARCHIVED');
    expect(
      reasonOf(await t.gql('mutation { updateSite(input: { code: "gone", name: "新名字" }) { code } }', {}, admin)),
    ).toBe('SITE_ARCHIVED');
  });
});

describe('reading sites', () => {
  it('shows online sites to anyone, with visible columns that hold something only', async () => {
    const r = await t.gql(
      '{ site(code: "miyi") { name kind parent { code } footer { icpRecord } organisation { name } columns { code } } }',
    );
    expect(r.data!.site).toMatchObject({
      name: '米易县人民政府',
      kind: 'COUNTY_PORTAL',
      parent: { code: 'panzhihua' },
      footer: { icpRecord: '蜀ICP备00000002号' },
    });
    // The demo city has no content yet: a blank column is never public (2017 §1.3), nor a link column without URL.
    expect(r.data!.site.columns).toEqual([]);
  });

  it('pages through sites with cursors', async () => {
    const first = await t.gql(
      '{ sites(first: 2) { edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.data!.sites.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(
      'query($a: String) { sites(first: 2, after: $a) { edges { node { code } } pageInfo { hasPreviousPage } } }',
      {
        a: first.data!.sites.pageInfo.endCursor,
      },
    );
    const codes = [...first.data!.sites.edges, ...next.data!.sites.edges].map(
      (e: { node: { code: string } }) => e.node.code,
    );
    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect(next.data!.sites.pageInfo.hasPreviousPage).toBe(true);
    expect(codeOf(await t.gql('{ sites(first: 1000) { edges { cursor } } }'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql('{ sites(after: "garbage") { edges { cursor } } }'))).toBe('BAD_USER_INPUT');
  });

  it('filters by kind and parent', async () => {
    const r = await t.gql('{ sites(kind: COUNTY_PORTAL) { edges { node { code } } } }');
    expect(r.data!.sites.edges.map((e: { node: { code: string } }) => e.node.code)).toEqual(['miyi']);
    const c = await t.gql('{ site(code: "panzhihua") { children { code } } }');
    expect(c.data!.site.children.map((s: { code: string }) => s.code)).toEqual(expect.arrayContaining(['edu', 'miyi']));
  });
});

import { addMember } from '../people/membership.service.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import { createUser, findUserByEmail } from '../people/user.service.ts';
import type { Ctx } from '../shared/context.ts';
import { provisionSite } from '../sites/provision-site.ts';
import type { ProvisionSiteInput } from '../sites/site.inputs.ts';
import { setSiteStatus } from '../sites/site.service.ts';
import { createMailbox } from '../interaction/mailbox/mailbox.service.ts';

export interface DemoLogin {
  email: string;
  password: string;
  role: string;
  site: string | null;
}

/** The demo city's shared password: for a local demo only (docs/operations.md says how to change it). */
export const DEMO_PASSWORD = 'Zhanqun#Demo2026';

type DemoSite = Omit<ProvisionSiteInput, 'admin'>;

const demoSites: DemoSite[] = [
  {
    code: 'panzhihua',
    name: '攀枝花市人民政府',
    kind: 'CITY_PORTAL',
    siteIdCode: '5104000001',
    // Fictional 统一社会信用代码 (机关: 11 + division + organisation code) with valid check characters.
    organisation: { name: '攀枝花市人民政府办公室', code: '11510400008851001D' },
    domains: ['www.panzhihua.gov.cn', 'panzhihua.localhost'],
    locales: ['zh-CN', 'en'],
    footer: {
      contactPhone: '0812-3333333',
      contactAddress: '四川省攀枝花市东区炳草岗大街',
      icpRecord: '蜀ICP备00000001号',
      publicSecurityRecord: '川公网安备51040002000001号',
    },
  },
  {
    code: 'miyi',
    name: '米易县人民政府',
    kind: 'COUNTY_PORTAL',
    parentCode: 'panzhihua',
    siteIdCode: '5104210001',
    organisation: { name: '米易县人民政府办公室', code: '11510421008851002X' },
    domains: ['www.miyi.gov.cn', 'miyi.localhost'],
    footer: { contactPhone: '0812-8171111', icpRecord: '蜀ICP备00000002号' },
  },
  {
    code: 'edu',
    name: '攀枝花市教育局',
    kind: 'DEPARTMENT',
    parentCode: 'panzhihua',
    siteIdCode: '5104000002',
    organisation: { name: '攀枝花市教育局', code: '11510400008851003K' },
    domains: ['edu.panzhihua.gov.cn', 'edu.localhost'],
    footer: { contactPhone: '0812-3334444' },
  },
];

const staff: { role: SiteRole; label: string }[] = [
  { role: 'EDITOR', label: 'editor' },
  { role: 'REVIEWER', label: 'reviewer' },
  { role: 'APPROVER', label: 'approver' },
  { role: 'INTERACTION_HANDLER', label: 'handler' },
];

/** 2015 §4: each demo site's leader mailbox, in the locked column of its 互动交流 channel. */
const mailboxOf: Record<string, { name: string; column: string }> = {
  CITY_PORTAL: { name: '市长信箱', column: '/hdjl/szxx' },
  COUNTY_PORTAL: { name: '县长信箱', column: '/hdjl/xzxx' },
  DEPARTMENT: { name: '局长信箱', column: '/hdjl/jzxx' },
};

const names: Record<string, string> = {
  admin: '站点管理员',
  editor: '信息员',
  reviewer: '科室审核人',
  approver: '分管领导',
  handler: '互动交流专员',
};

/**
 * Seeds the demo city: 攀枝花市人民政府 (city portal), 米易县人民政府 (county portal) and 攀枝花市教育局
 * (department), each online with its template columns shown, a platform admin, and per site a site admin,
 * an editor, a reviewer and an approver. Idempotent: returns [] when the city portal already exists.
 * Runs through the same use cases as the API, with a system actor, so every step is audited.
 */
export async function seedDemoCity(ctx: Ctx): Promise<DemoLogin[]> {
  if ((await ctx.directory.fresh()).byCode('panzhihua')) return [];
  const logins: DemoLogin[] = [];
  const platformEmail = 'admin@zhanqun.local';
  if (!(await findUserByEmail(ctx.em, platformEmail))) {
    await createUser(ctx, {
      email: platformEmail,
      name: '市电子政务办管理员',
      password: DEMO_PASSWORD,
      platformAdmin: true,
    });
  }
  logins.push({ email: platformEmail, password: DEMO_PASSWORD, role: 'PLATFORM_ADMIN', site: null });
  for (const site of demoSites) {
    const adminEmail = `admin@${site.code}.zhanqun.local`;
    await provisionSite(
      ctx,
      { ...site, admin: { email: adminEmail, name: `${site.name}${names.admin}`, password: DEMO_PASSWORD } },
      { visibleColumns: true },
    );
    logins.push({ email: adminEmail, password: DEMO_PASSWORD, role: 'SITE_ADMIN', site: site.code });
    for (const s of staff) {
      const email = `${s.label}@${site.code}.zhanqun.local`;
      await createUser(ctx, { email, name: `${site.name}${names[s.label]}`, password: DEMO_PASSWORD, site: site.code });
      await addMember(ctx, { site: site.code, email, roles: [s.role] });
      logins.push({ email, password: DEMO_PASSWORD, role: s.role, site: site.code });
    }
    const mailbox = mailboxOf[site.kind];
    if (mailbox) {
      await createMailbox(ctx, { site: site.code, ...mailbox, maintainer: `handler@${site.code}.zhanqun.local` });
    }
    await setSiteStatus(ctx, site.code, 'ONLINE', 'demo city');
  }
  return logins;
}

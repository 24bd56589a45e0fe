import type { ColumnType, UpdateClass } from '../columns/column.entity.ts';
import type { SiteKind } from './site.entity.ts';
import { shortSiteName } from './site.policy.ts';

export interface TemplateColumn {
  code: string;
  name: string;
  type: ColumnType;
  updateClass: UpdateClass;
  locked?: boolean;
  children?: TemplateColumn[];
}

// Shorthands: update classes per gov-standards §c (⏱2w dynamic, ⏱6m notices/policies, ⏱1y plans, ◇ static).
const list = (code: string, name: string, updateClass: UpdateClass, children?: TemplateColumn[]): TemplateColumn => ({
  code,
  name,
  type: 'LIST',
  updateClass,
  children,
});
const page = (code: string, name: string): TemplateColumn => ({
  code,
  name,
  type: 'SINGLE_PAGE',
  updateClass: 'STATIC',
});
const link = (code: string, name: string): TemplateColumn => ({ code, name, type: 'LINK', updateClass: 'STATIC' });
const group = (code: string, name: string, children: TemplateColumn[]): TemplateColumn =>
  list(code, name, 'STATIC', children);
const lock = (c: TemplateColumn): TemplateColumn => ({ ...c, locked: true });

/** 法定主动公开内容 (条例 §20–21), shared by every template; departments keep the subset fitting their remit. */
function statutoryDisclosure(forDepartment: boolean): TemplateColumn {
  const all = [
    page('jgzn', '机构职能'),
    list('zcwj', '法规文件', 'NOTICE_6M'),
    list('ghxx', '规划信息', 'PLAN_1Y'),
    list('tjxx', '统计信息', 'NOTICE_6M'),
    list('czxx', '财政信息', 'PLAN_1Y'),
    list('zfcg', '政府采购', 'NOTICE_6M'),
    list('rsxx', '人事信息', 'PLAN_1Y'),
    // 2017 §1.3: 执法监督 — every site, departments included, discloses its law enforcement and inspections.
    list('xzzf', '行政执法', 'NOTICE_6M'),
    list('jdjc', '监督检查', 'NOTICE_6M'),
  ];
  const portalOnly = [
    link('xzxk', '行政许可与服务事项'),
    list('xzsyxsf', '行政事业性收费', 'PLAN_1Y'),
    list('zdjsxm', '重大建设项目', 'NOTICE_6M'),
    list('msxx', '民生信息', 'NOTICE_6M'),
    list('yjgl', '应急管理', 'NOTICE_6M'),
    list('szjs', '市政建设', 'NOTICE_6M'),
    list('shjz', '社会救助', 'NOTICE_6M'),
  ];
  return lock(group('fdzdgknr', '法定主动公开内容', forDepartment ? all : [...all, ...portalOnly]));
}

/** 政府信息公开 with its four locked level-1 columns (国办公开办函〔2019〕61号 structure; gov-standards OGI-01). */
function disclosure(forDepartment: boolean): TemplateColumn {
  return lock(
    group('zwgk', '政府信息公开', [
      lock(page('xxgkzn', '政府信息公开指南')),
      lock(page('xxgkzd', '政府信息公开制度')),
      statutoryDisclosure(forDepartment),
      lock(list('xxgknb', '政府信息公开年报', 'PLAN_1Y')),
    ]),
  );
}

/** gov-standards §c.1: a county (or the city) people's government portal. */
function portalTemplate(siteName: string, level: '市' | '县'): TemplateColumn[] {
  const short = shortSiteName(siteName);
  const local = short.replace(/[市县区]$/, '');
  return [
    group('zjxx', `走进${local}`, [
      page('gk', level === '市' ? '市情概况' : '县情概况'),
      page('lsyg', '历史沿革'),
      page('xzqh', '行政区划'),
      page('zrdl', '自然地理'),
      page('rkmz', '人口民族'),
      page('jjshfz', '经济社会发展'),
    ]),
    group('zwdt', '政务动态', [
      // 2015 §2: important activities online within 24 hours.
      list('yw', `${local}要闻`, 'DYNAMIC_2W'),
      list('bmdt', '部门动态', 'DYNAMIC_2W'),
      level === '市' ? list('qxdt', '区县动态', 'DYNAMIC_2W') : list('xzdt', '乡镇（街道）动态', 'DYNAMIC_2W'),
      list('sjjs', '上级精神', 'DYNAMIC_2W'),
      list('tzgg', '通知公告', 'NOTICE_6M'),
      list('tpsp', '图片视频', 'DYNAMIC_2W'),
    ]),
    list('ldzc', '领导之窗', 'STATIC'),
    page('jgzn', '机构职能'),
    group('zc', '政策', [
      list('zcwj', '政策文件', 'NOTICE_6M', [
        list(level === '市' ? 'szfwj' : 'xzfwj', `${level}政府文件`, 'NOTICE_6M'),
        list(level === '市' ? 'szfbwj' : 'xzfbwj', `${level}政府办公室文件`, 'NOTICE_6M'),
        list('bmwj', '部门文件', 'NOTICE_6M'),
        list('yfzwj', '已废止或失效文件', 'STATIC'),
      ]),
      list('zcjd', '政策解读', 'NOTICE_6M'),
      list('hygq', '回应关切', 'NOTICE_6M'),
    ]),
    disclosure(false),
    list('sjfb', '数据发布', 'NOTICE_6M'),
    link('bsfw', '办事服务'),
    group('hdjl', '互动交流', [
      lock(list(level === '市' ? 'szxx' : 'xzxx', `${level}长信箱`, 'DYNAMIC_2W')),
      list('zxts', '咨询投诉', 'DYNAMIC_2W'),
      list('zxft', '在线访谈', 'NOTICE_6M'),
      list('yjzj', '意见征集', 'NOTICE_6M'),
      list('wsdc', '网上调查', 'NOTICE_6M'),
      page('cjwt', '常见问题'),
      link('wzzc', '我为政府网站找错'),
    ]),
    list('ztzl', '专题专栏', 'STATIC'),
    group('english', 'English', []),
  ];
}

/** gov-standards §c.2: a city department's site. */
function departmentTemplate(): TemplateColumn[] {
  return [
    group('jggk', '机构概况', [
      page('jgzn', '机构职能'),
      page('ldxx', '领导信息'),
      page('nsjg', '内设机构'),
      page('zsdw', '直属单位'),
    ]),
    list('gzdt', '工作动态', 'DYNAMIC_2W', [
      list('bbmdt', '本部门动态', 'DYNAMIC_2W'),
      list('xqdt', '县区动态', 'DYNAMIC_2W'),
      list('zz', '转载', 'DYNAMIC_2W'),
    ]),
    list('tzgg', '通知公告', 'NOTICE_6M'),
    group('zc', '政策', [list('zcwj', '政策文件', 'NOTICE_6M'), list('zcjd', '政策解读', 'NOTICE_6M')]),
    disclosure(true),
    link('bsfw', '办事服务'),
    group('hdjl', '互动交流', [
      lock(list('jzxx', '局长信箱', 'DYNAMIC_2W')),
      list('zxft', '在线访谈', 'NOTICE_6M'),
      list('zjdc', '征集调查', 'NOTICE_6M'),
      page('cjwt', '常见问题'),
    ]),
    list('ztzl', '专题专栏', 'STATIC'),
  ];
}

/** The built-in column tree for a new site of this kind. */
export function columnTemplate(kind: SiteKind, siteName: string): TemplateColumn[] {
  switch (kind) {
    case 'CITY_PORTAL':
      return portalTemplate(siteName, '市');
    case 'COUNTY_PORTAL':
      return portalTemplate(siteName, '县');
    case 'DEPARTMENT':
      return departmentTemplate();
  }
}

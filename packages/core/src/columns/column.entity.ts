import { defineEntity, p } from '@mikro-orm/core';

export const columnTypes = ['LIST', 'SINGLE_PAGE', 'LINK'] as const;
export type ColumnType = (typeof columnTypes)[number];
/** How often a column must be updated (2019 检查指标: 动态 2 weeks, 通知公告/政策文件 6 months, 规划/人事 1 year). */
export const updateClasses = ['DYNAMIC_2W', 'NOTICE_6M', 'PLAN_1Y', 'STATIC'] as const;
export type UpdateClass = (typeof updateClasses)[number];

/** 栏目: a node in a site's tree of sections. `path` is derived from the codes of its ancestors. */
export const ColumnSchema = defineEntity({
  name: 'Column',
  tableName: 'site_column',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    parentId: p.uuid().nullable(),
    code: p.string(),
    path: p.string(),
    name: p.string(),
    type: p.enum(columnTypes),
    updateClass: p.enum(updateClasses),
    locked: p.boolean(),
    visible: p.boolean(),
    sortOrder: p.integer(),
    linkUrl: p.string().nullable(),
    /** 2015 §14: a column whose updates cannot be guaranteed is merged into another or closed. */
    status: p.enum(['OPEN', 'CLOSED', 'MERGED'] as const),
    mergedIntoId: p.uuid().nullable(),
    statusChangedAt: p.datetime().nullable(),
    /** How items of this column get their publishing deadline; null means by kind. */
    deadlineRule: p.string().nullable(),
    deadlineAmount: p.integer().nullable(),
    /** National page metadata: ColumnDescription, ColumnKeywords (migration 0012). */
    description: p.string().nullable(),
    keywords: p.string().nullable(),
    /** The column's name per declared locale other than the site's first (2015 §8); `name` is the default. */
    names: p.json<Record<string, string>>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** A column made by an import remembers its legacy id (migration 0016), so a re-run maps onto it. */
    sourceSystem: p.string().nullable(),
    sourceId: p.string().nullable(),
    /** The legacy site within its system (the import run's label), part of the identity with sourceId. */
    sourceScope: p.string().nullable(),
  },
});
export class Column extends ColumnSchema.class {}
ColumnSchema.setClass(Column);

/** The defaults of a new column: open, no merge, deadline by item kind. */
export const newColumnDefaults = {
  status: 'OPEN' as const,
  mergedIntoId: null,
  statusChangedAt: null,
  deadlineRule: null,
  deadlineAmount: null,
  description: null,
  keywords: null,
  names: {},
  sourceSystem: null,
  sourceId: null,
  sourceScope: null,
};

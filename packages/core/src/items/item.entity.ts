import { defineEntity, p } from '@mikro-orm/core';

/** The review states (2015 §12: 初审 → 审核 → 审发). */
export const itemStates = [
  'DRAFT',
  'FIRST_REVIEW',
  'REVIEW',
  'SIGN_OFF',
  'SCHEDULED',
  'PUBLISHED',
  'WITHDRAWN',
] as const;
export type ItemState = (typeof itemStates)[number];

/** 信息 / 稿件: identity and workflow. The content of every version is an immutable ItemRevision. */
export const ItemSchema = defineEntity({
  name: 'Item',
  tableName: 'item',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    columnId: p.uuid(),
    /** ARTICLE, NOTICE, POLICY_DOCUMENT, INTERPRETATION, PAGE have rules of their own; any upper-case kind is allowed. */
    kind: p.string(),
    state: p.enum(itemStates),
    locale: p.string(),
    translationGroupId: p.uuid(),
    translationOfId: p.uuid().nullable(),
    translationSourceNumber: p.integer().nullable(),
    slug: p.string(),
    title: p.string(),
    headRevisionId: p.uuid().nullable(),
    headNumber: p.integer(),
    publishedRevisionId: p.uuid().nullable(),
    publishedNumber: p.integer().nullable(),
    publishedAt: p.datetime().nullable(),
    lastPublishedAt: p.datetime().nullable(),
    scheduledAt: p.datetime().nullable(),
    reviewCycle: p.integer(),
    occurredAt: p.datetime().nullable(),
    issuedAt: p.string().columnType('date').nullable(),
    deadlineAt: p.datetime().nullable(),
    indexNumber: p.string().nullable(),
    withdrawnAt: p.datetime().nullable(),
    withdrawnReason: p.string().nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** Imported items (issue 11, migration 0016): the legacy publication date, never replaced by "now". */
    originalPublishedAt: p.datetime().nullable(),
    sourceSystem: p.string().nullable(),
    sourceId: p.string().nullable(),
    /** The legacy site within its system (the import run's label), part of the identity with sourceId. */
    sourceScope: p.string().nullable(),
    sourceHash: p.string().nullable(),
    legacySiteName: p.string().nullable(),
    oldUrls: p.array().columnType('text[]').nullable(),
    importRunId: p.uuid().nullable(),
  },
});
export class Item extends ItemSchema.class {}
ItemSchema.setClass(Item);

/** The provenance of an item written on the platform (not imported). */
export const noProvenance = {
  originalPublishedAt: null,
  sourceSystem: null,
  sourceId: null,
  sourceScope: null,
  sourceHash: null,
  legacySiteName: null,
  oldUrls: null,
  importRunId: null,
};

/** One saved version: who, when, what, and the hash a sign-off binds to. Never updated or deleted. */
export const ItemRevisionSchema = defineEntity({
  name: 'ItemRevision',
  tableName: 'item_revision',
  properties: {
    id: p.uuid().primary(),
    itemId: p.uuid(),
    siteId: p.uuid(),
    number: p.integer(),
    content: p.json<Record<string, unknown>>(),
    bodyText: p.text(),
    contentHash: p.string(),
    /** The publishing deadline this content implied when saved; frozen into the item when published. */
    deadlineAt: p.datetime().nullable(),
    createdBy: p.uuid().nullable(),
    createdByName: p.string().nullable(),
    createdAt: p.datetime(),
    note: p.string().nullable(),
  },
});
export class ItemRevision extends ItemRevisionSchema.class {}
ItemRevisionSchema.setClass(ItemRevision);

/** Where an item appears; `live` mirrors whether its published version is public. */
export const ItemPlacementSchema = defineEntity({
  name: 'ItemPlacement',
  tableName: 'item_placement',
  primaryKeys: ['itemId', 'columnId'],
  properties: {
    itemId: p.uuid().primary(),
    columnId: p.uuid().primary(),
    siteId: p.uuid(),
    itemSiteId: p.uuid(),
    home: p.boolean(),
    live: p.boolean(),
    publishedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
});
export class ItemPlacement extends ItemPlacementSchema.class {}
ItemPlacementSchema.setClass(ItemPlacement);

/** One decision of the three-level review, bound to the revision it judged. */
export const SignOffSchema = defineEntity({
  name: 'SignOff',
  tableName: 'sign_off',
  properties: {
    id: p.uuid().primary(),
    itemId: p.uuid(),
    siteId: p.uuid(),
    cycle: p.integer(),
    level: p.integer(),
    decision: p.enum(['APPROVED', 'REJECTED'] as const),
    userId: p.uuid(),
    userName: p.string(),
    role: p.string(),
    opinion: p.string().nullable(),
    revisionId: p.uuid(),
    revisionNumber: p.integer(),
    revisionHash: p.string(),
    personalDataReason: p.string().nullable(),
    signedAt: p.datetime(),
    voidedAt: p.datetime().nullable(),
    voidReason: p.string().nullable(),
  },
});
export class SignOff extends SignOffSchema.class {}
SignOffSchema.setClass(SignOff);

/** 政策解读 → 规范性文件. */
export const ItemLinkSchema = defineEntity({
  name: 'ItemLink',
  tableName: 'item_link',
  primaryKeys: ['interpretationId', 'policyId'],
  properties: {
    interpretationId: p.uuid().primary(),
    policyId: p.uuid().primary(),
    siteId: p.uuid(),
    createdAt: p.datetime(),
  },
});
export class ItemLink extends ItemLinkSchema.class {}
ItemLinkSchema.setClass(ItemLink);

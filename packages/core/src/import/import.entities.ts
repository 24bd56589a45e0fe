import { defineEntity, p } from '@mikro-orm/core';

/** 2017 §2: township and internal-unit sites are closed and folded into the county portal; the register tracks them. */
export const legacySiteKinds = ['TOWNSHIP', 'INTERNAL_UNIT', 'DEPARTMENT', 'OTHER'] as const;
export const legacySiteStates = ['MIGRATING', 'REDIRECTED', 'CLOSED', 'CLOSED_AT_ONCE'] as const;

/** A legacy site being consolidated onto the platform (2015 §9, 2017 §2). */
export const LegacySiteSchema = defineEntity({
  name: 'LegacySite',
  tableName: 'legacy_site',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    name: p.string(),
    oldHosts: p.array().columnType('text[]'),
    owner: p.string().nullable(),
    kind: p.enum(legacySiteKinds),
    deadline: p.string().columnType('date').nullable(),
    state: p.enum(legacySiteStates),
    note: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class LegacySite extends LegacySiteSchema.class {}
LegacySiteSchema.setClass(LegacySite);

export const importStates = [
  'PLANNING',
  'PLANNED',
  'STAGING',
  'STAGED',
  'APPLYING',
  'IN_REVIEW',
  'PUBLISHED',
  'CANCELLED',
  'FAILED',
] as const;
export type ImportState = (typeof importStates)[number];

/** One import of one legacy source into one site. */
export const ImportRunSchema = defineEntity({
  name: 'ImportRun',
  tableName: 'import_run',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    legacySiteId: p.uuid().nullable(),
    sourceSystem: p.string(),
    label: p.string(),
    options: p.json<Record<string, unknown>>(),
    state: p.enum(importStates),
    report: p.json<Record<string, unknown>>().nullable(),
    staged: p.integer(),
    applied: p.integer(),
    total: p.integer().nullable(),
    batches: p.integer(),
    counts: p.json<Record<string, number>>(),
    contentHash: p.string().nullable(),
    error: p.string().nullable(),
    startedBy: p.uuid().nullable(),
    startedByName: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    /** When the daily job cleared its staged payloads (IMPORT_STAGING_RETENTION_DAYS after it became final). */
    stagingClearedAt: p.datetime().nullable(),
    publishedAt: p.datetime().nullable(),
  },
});
export class ImportRun extends ImportRunSchema.class {}
ImportRunSchema.setClass(ImportRun);

/** A legacy record staged by a run and what it became (written in batches with SQL; read through the ORM). */
export const ImportRecordSchema = defineEntity({
  name: 'ImportRecord',
  tableName: 'import_record',
  primaryKeys: ['runId', 'kind', 'sourceId'],
  properties: {
    runId: p.uuid().primary(),
    kind: p.enum(['COLUMN', 'ITEM', 'FILE', 'SKIPPED'] as const).primary(),
    sourceId: p.string().primary(),
    seq: p.integer(),
    siteId: p.uuid(),
    sourceSystem: p.string(),
    contentHash: p.string().nullable(),
    payload: p.json<Record<string, unknown>>().nullable(),
    itemId: p.uuid().nullable(),
    columnId: p.uuid().nullable(),
    mediaId: p.uuid().nullable(),
    /** A listed file's item (its source id): the key the apply looks the batch's files up by. */
    ownerSourceId: p.string().nullable(),
    /** A staged item's `<legacy column id>|<lower-case legacy slug>`: the run's slug clashes are found by it. */
    slugKey: p.string().nullable(),
    /** A hash of a staged item's trimmed title: the plan of a committed run finds duplicate titles by it. */
    titleKey: p.string().nullable(),
    outcome: p.enum(['CREATED', 'UPDATED', 'UNCHANGED', 'SKIPPED', 'FAILED'] as const).nullable(),
    warnings: p.json<unknown[]>(),
  },
});
export class ImportRecord extends ImportRecordSchema.class {}
ImportRecordSchema.setClass(ImportRecord);

/** A sign-off of a run's report (初审, 审核, 审发), bound to the run's content hash. */
export const ImportSignOffSchema = defineEntity({
  name: 'ImportSignOff',
  tableName: 'import_sign_off',
  properties: {
    id: p.uuid().primary(),
    runId: p.uuid(),
    siteId: p.uuid(),
    level: p.integer(),
    userId: p.uuid(),
    userName: p.string(),
    role: p.string(),
    opinion: p.string().nullable(),
    contentHash: p.string(),
    signedAt: p.datetime(),
  },
});
export class ImportSignOff extends ImportSignOffSchema.class {}
ImportSignOffSchema.setClass(ImportSignOff);

import { defineEntity, p } from '@mikro-orm/core';

/** 存档备查: one append-only audit record, hash-chained per site. */
export const AuditRecordSchema = defineEntity({
  name: 'AuditRecord',
  tableName: 'audit_record',
  properties: {
    seq: p.bigint('string').primary().autoincrement(),
    siteId: p.uuid().nullable(),
    at: p.datetime(),
    actorType: p.string(),
    actorId: p.string().nullable(),
    actorName: p.string().nullable(),
    action: p.string(),
    targetType: p.string(),
    targetId: p.string().nullable(),
    clientAddress: p.string().nullable(),
    requestId: p.string().nullable(),
    changes: p.json<Record<string, unknown>>(),
    prevHash: p.string().nullable(),
    hash: p.string(),
  },
});
export class AuditRecord extends AuditRecordSchema.class {}
AuditRecordSchema.setClass(AuditRecord);

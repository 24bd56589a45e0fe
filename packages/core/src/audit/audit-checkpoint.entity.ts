import { defineEntity, p } from '@mikro-orm/core';

/**
 * The anchored head of one audit chain at a time (sequence number, hash, number of records), so that cutting
 * off the newest records is detected. Written only by the definer function `zq_audit_checkpoint` (migration 0007).
 */
export const AuditCheckpointSchema = defineEntity({
  name: 'AuditCheckpoint',
  tableName: 'audit_checkpoint',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    siteId: p.uuid().nullable(),
    headSeq: p.bigint('string'),
    headHash: p.string(),
    records: p.bigint('number'),
    at: p.datetime(),
  },
});
export class AuditCheckpoint extends AuditCheckpointSchema.class {}
AuditCheckpointSchema.setClass(AuditCheckpoint);

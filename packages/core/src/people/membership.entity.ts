import { defineEntity, p } from '@mikro-orm/core';

export const siteRoles = ['SITE_ADMIN', 'EDITOR', 'REVIEWER', 'APPROVER', 'INTERACTION_HANDLER', 'VIEWER'] as const;
export type SiteRole = (typeof siteRoles)[number];

/** user × site × roles, optionally limited to a column subtree; outsourced staff (外包, 2015 §10) until a date. */
export const MembershipSchema = defineEntity({
  name: 'Membership',
  tableName: 'membership',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    userId: p.uuid(),
    roles: p.array().columnType('text[]'),
    columnId: p.uuid().nullable(),
    outsourced: p.boolean(),
    outsourcedUntil: p.string().columnType('date').nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class Membership extends MembershipSchema.class {}
MembershipSchema.setClass(Membership);

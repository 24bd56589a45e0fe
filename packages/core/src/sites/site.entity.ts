import { defineEntity, p } from '@mikro-orm/core';

export const siteKinds = ['CITY_PORTAL', 'COUNTY_PORTAL', 'DEPARTMENT'] as const;
export type SiteKind = (typeof siteKinds)[number];
export const siteStatuses = ['PREPARING', 'ONLINE', 'CLOSING', 'ARCHIVED'] as const;
export type SiteStatus = (typeof siteStatuses)[number];

/** 站点 / 子站: one government website, the tenant. */
export const SiteSchema = defineEntity({
  name: 'Site',
  tableName: 'site',
  properties: {
    id: p.uuid().primary(),
    code: p.string(),
    name: p.string(),
    kind: p.enum(siteKinds),
    parentId: p.uuid().nullable(),
    siteIdCode: p.string(),
    organisationName: p.string(),
    organisationCode: p.string().nullable(),
    locales: p.array().columnType('text[]'),
    contactPhone: p.string().nullable(),
    contactEmail: p.string().nullable(),
    contactAddress: p.string().nullable(),
    icpRecord: p.string().nullable(),
    publicSecurityRecord: p.string().nullable(),
    /** 党政机关网站标识: the registration id of the mark at bszs.conac.cn (migration 0012). */
    conacMarkId: p.string().nullable(),
    /** Browser origins (besides the site's own hosts) allowed to call the API for this site (CORS). */
    corsOrigins: p.array().columnType('text[]').default([]),
    status: p.enum(siteStatuses),
    statusChangedAt: p.datetime(),
    /** 2017 §2 立即关停: when a platform admin took the site down at once, why, and the notice shown instead. */
    takenDownAt: p.datetime().nullable(),
    closingReason: p.string().nullable(),
    closingNotice: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class Site extends SiteSchema.class {}
SiteSchema.setClass(Site);

/** A host name serving a site; unique platform-wide, one primary per site. */
export const SiteDomainSchema = defineEntity({
  name: 'SiteDomain',
  tableName: 'site_domain',
  properties: {
    host: p.string().primary(),
    siteId: p.uuid(),
    isPrimary: p.boolean(),
    /** An old host name: answers 301 to the primary domain (migration 0012). */
    legacy: p.boolean().default(false),
  },
});
export class SiteDomain extends SiteDomainSchema.class {}
SiteDomainSchema.setClass(SiteDomain);

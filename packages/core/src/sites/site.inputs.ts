import { z } from 'zod';
import { SITE_CODE, SITE_ID_CODE } from './site.policy.ts';

export const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
    'must be a host name such as www.example.gov.cn',
  );

export const domainsInput = z
  .array(hostName)
  .min(1, 'at least one domain; the first is the primary one')
  .max(20)
  .refine((d) => new Set(d).size === d.length, 'domains must not repeat');

export const localesInput = z
  .array(z.string().regex(/^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$/, 'a BCP 47 tag such as zh-CN or en'))
  .min(1)
  .max(10);

export const organisationInput = z.object({
  name: z.string().trim().min(2).max(100),
  /** 统一社会信用代码 (GB 32100-2015): required at provisioning; its check character is verified in core. */
  code: z.string().trim().toUpperCase().nullish(),
});

export const footerInput = z
  .object({
    contactPhone: z.string().trim().max(50).nullish(),
    contactEmail: z.email().nullish(),
    contactAddress: z.string().trim().max(200).nullish(),
    icpRecord: z.string().trim().max(50).nullish(),
    publicSecurityRecord: z.string().trim().max(50).nullish(),
    /** 党政机关网站标识: the registration id the mark links to at bszs.conac.cn (issue 12). */
    conacMarkId: z
      .string()
      .trim()
      .regex(/^[0-9]{1,32}$/, 'the registration id: digits only')
      .nullish(),
  })
  .strict();

export const emailInput = z.email().trim().toLowerCase().max(200);

export const provisionSiteInput = z.object({
  code: z.string().trim().regex(SITE_CODE, 'lower-case letters, digits and hyphens, 2–32, starting with a letter'),
  name: z.string().trim().min(2).max(100),
  kind: z.string(),
  parentCode: z.string().nullish(),
  siteIdCode: z.string().trim().regex(SITE_ID_CODE, '网站标识码: 10 digits, or bm followed by 8 digits'),
  /** The organisation running the site: one site per 统一社会信用代码 (2015 §9). */
  organisation: organisationInput,
  domains: domainsInput,
  locales: localesInput.nullish(),
  footer: footerInput.nullish(),
  admin: z.object({
    email: emailInput,
    name: z.string().trim().min(1).max(100).nullish(),
    password: z.string().nullish(),
  }),
});
export type ProvisionSiteInput = z.input<typeof provisionSiteInput>;

export const updateSiteInput = z.object({
  code: z.string(),
  name: z.string().trim().min(2).max(100).nullish(),
  organisation: organisationInput.nullish(),
  domains: domainsInput.nullish(),
  locales: localesInput.nullish(),
  footer: footerInput.nullish(),
});
export type UpdateSiteInput = z.input<typeof updateSiteInput>;

/** Unique constraints of the site tables, as CONFLICTs that name the field. */
export const siteConflicts = {
  site_code_key: { field: 'code', message: 'A site with this code already exists' },
  site_site_id_code_key: { field: 'siteIdCode', message: 'This 网站标识码 is already registered to a site' },
  site_organisation_name_uq: {
    field: 'organisation.name',
    message: 'This organisation already has a site: one site per organisation (2015 §9)',
    reason: 'ONE_SITE_PER_ORGANISATION' as const,
  },
  site_organisation_code_uq: {
    field: 'organisation.code',
    message: 'This organisation already has a site: one site per organisation (2015 §9)',
    reason: 'ONE_SITE_PER_ORGANISATION' as const,
  },
  site_domain_pkey: { field: 'domains', message: 'A domain is already served by another site' },
  app_user_email_uq: { field: 'admin.email', message: 'A user with this e-mail already exists' },
};

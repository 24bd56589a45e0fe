import { z } from 'zod';
import { canManageSiteRecord } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { parseInput } from '../shared/validation.ts';
import { Site, SiteDomain } from '../sites/site.entity.ts';
import { hostName } from '../sites/site.inputs.ts';
import { assertWritable, requireSiteByCode } from '../sites/site-lookup.ts';

const unique = <T>(a: T[]) => new Set(a).size === a.length;

/** An https (or, for development, http) origin: scheme, host, optional port — no path. */
const origin = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://www.example.gov.cn');

const input = z.object({
  site: z.string(),
  /** Old host names: each answers 301 to the primary domain. Omit to keep them. */
  legacyHosts: z.array(hostName).max(50).refine(unique, 'hosts must not repeat').nullish(),
  /** Browser origins besides the site's own hosts allowed to call the API (CORS). Omit to keep them. */
  corsOrigins: z.array(origin).max(20).refine(unique, 'origins must not repeat').nullish(),
});
export type UpdateSiteDeliveryInput = z.input<typeof input>;

/**
 * Delivery settings of a site: old host names (2017 §2: consolidated sites keep their old addresses working,
 * as 301s to the primary domain) and the CORS allow-list. Managed with the site record, from above.
 */
export async function updateSiteDelivery(ctx: Ctx, raw: UpdateSiteDeliveryInput): Promise<Site> {
  const { site: code, legacyHosts, corsOrigins } = parseInput(input, raw);
  const site = await requireSiteByCode(ctx, code);
  if (!canManageSiteRecord(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const result = await mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const s = await tx.findOneOrFail(Site, { id: site.id });
        const changes: Record<string, unknown> = {};
        if (legacyHosts) {
          const before = (await tx.find(SiteDomain, { siteId: s.id, legacy: true })).map((d) => d.host).sort();
          await tx.nativeDelete(SiteDomain, { siteId: s.id, legacy: true });
          for (const host of legacyHosts) tx.create(SiteDomain, { host, siteId: s.id, isPrimary: false, legacy: true });
          changes.legacyHosts = [before, [...legacyHosts].sort()];
        }
        if (corsOrigins) {
          changes.corsOrigins = [s.corsOrigins, corsOrigins];
          s.corsOrigins = corsOrigins;
          s.updatedAt = ctx.now();
        }
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: s.id,
          action: 'site.delivery',
          targetType: 'Site',
          targetId: s.id,
          changes,
        });
        return s;
      }),
    { site_domain_pkey: { field: 'legacyHosts', message: 'A host is already served by a site' } },
  );
  await ctx.directory.reload();
  return result;
}

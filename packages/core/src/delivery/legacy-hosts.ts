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

const input = z.object({
  site: z.string(),
  hosts: z
    .array(hostName)
    .max(50)
    .refine((h) => new Set(h).size === h.length, 'hosts must not repeat'),
});

/**
 * Replaces a site's old host names (2017 §2: sites consolidated onto the platform keep their old addresses
 * working). Each answers 301 to the same path on the primary domain. Managed with the site record: from above.
 */
export async function setLegacyHosts(ctx: Ctx, raw: z.input<typeof input>): Promise<Site> {
  const { site: code, hosts } = parseInput(input, raw);
  const site = await requireSiteByCode(ctx, code);
  if (!canManageSiteRecord(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const result = await mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const before = (await tx.find(SiteDomain, { siteId: site.id, legacy: true })).map((d) => d.host).sort();
        await tx.nativeDelete(SiteDomain, { siteId: site.id, legacy: true });
        for (const host of hosts) tx.create(SiteDomain, { host, siteId: site.id, isPrimary: false, legacy: true });
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: 'site.legacyHosts',
          targetType: 'Site',
          targetId: site.id,
          changes: { legacyHosts: [before, [...hosts].sort()] },
        });
        return tx.findOneOrFail(Site, { id: site.id });
      }),
    { site_domain_pkey: { field: 'hosts', message: 'A host is already served by a site' } },
  );
  await ctx.directory.reload();
  return result;
}

import { z } from 'zod';
import { isPlatformWide } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import { recordSiteChanges } from '../search/search-outbox.ts';
import { recordWebhookEvent } from '../webhooks/webhook-events.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput } from '../shared/validation.ts';
import { Site } from './site.entity.ts';
import { requireSiteByCode } from './site-lookup.ts';

const takeDownInput = z.object({
  code: z.string(),
  /** Why: kept with the site and in the audit chain. */
  reason: z.string().trim().min(2).max(2000),
  /** 关停公告: what the public is told in the site's place. */
  notice: z.string().trim().min(2).max(5000),
});
export type TakeSiteDownInput = z.input<typeof takeDownInput>;

/**
 * 2017 §2 无保障能力的立即关停: a site that cannot be kept up is shut at once, without the 30-day closing notice
 * (which stays the default path: setSiteStatus CLOSING → ARCHIVED). Only platform admins (the city's
 * e-government office) may; the site becomes ARCHIVED now — read-only, out of search — with the reason and the
 * closing notice stored as data, and the act audited in the site's chain.
 */
export async function takeSiteDown(ctx: Ctx, raw: TakeSiteDownInput): Promise<Site> {
  const input = parseInput(takeDownInput, raw);
  const site = await requireSiteByCode(ctx, input.code);
  if (!isPlatformWide(ctx.actor)) throw new AppError('FORBIDDEN', 'Only the platform takes a site down at once');
  if (site.status === 'ARCHIVED') throw new AppError('SITE_ARCHIVED');
  const now = ctx.now();
  const result = await ctx.em.transactional(async (tx) => {
    const s = await tx.findOneOrFail(Site, { id: site.id });
    const from = s.status;
    s.status = 'ARCHIVED';
    s.statusChangedAt = now;
    s.takenDownAt = now;
    s.closingReason = input.reason;
    s.closingNotice = input.notice;
    s.updatedAt = now;
    tx.persist(s);
    await tx.flush();
    // An archived site is not searchable: its documents leave the index.
    await recordSiteChanges(tx, s.id, 'site-status:ARCHIVED');
    await recordWebhookEvent(
      tx,
      s.id,
      'site.status_changed',
      { site: s.code, from, to: 'ARCHIVED', takenDown: true },
      now,
    );
    await appendAudit(tx, ctx, {
      siteId: s.id,
      action: 'site.takeDown',
      targetType: 'Site',
      targetId: s.id,
      changes: { status: [from, 'ARCHIVED'], reason: input.reason, notice: input.notice, immediate: true },
    });
    return s;
  });
  await ctx.directory.reload();
  return result;
}

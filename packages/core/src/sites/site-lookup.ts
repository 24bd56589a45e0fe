import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { Site } from './site.entity.ts';

/**
 * A site within the actor's reach, by code. A site outside the reach is reported exactly like a missing one:
 * row-level security hides it, so the answer cannot reveal whether it exists.
 */
export async function requireSiteByCode(ctx: Ctx, code: string): Promise<Site> {
  const site = await ctx.em.findOne(Site, { code });
  if (!site) throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  return site;
}

export async function requireSiteById(ctx: Ctx, id: string): Promise<Site> {
  const site = await ctx.em.findOne(Site, { id });
  if (!site) throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  return site;
}

/** An archived site is read-only (its content stays published for the record, nothing changes). */
export function assertWritable(site: Site): void {
  if (site.status === 'ARCHIVED') throw new AppError('SITE_ARCHIVED', `Site ${site.code} is archived and read-only`);
}

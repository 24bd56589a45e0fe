import { canManageSiteRecord, reachableSiteIds } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { diffFields } from '../shared/diff.ts';
import { type Page, type PageArgs, pageOf } from '../shared/pagination.ts';
import { forkForPublicRead } from '../shared/scope.ts';
import { parseInput } from '../shared/validation.ts';
import type { DirectoryEntry } from './site-directory.ts';
import { Site, SiteDomain, type SiteKind, type SiteStatus, siteStatuses } from './site.entity.ts';
import { siteConflicts, type UpdateSiteInput, updateSiteInput } from './site.inputs.ts';
import { requireCreditCode } from './credit-code.policy.ts';
import { checkStatusTransition } from './site.policy.ts';
import { assertWritable, requireSiteByCode } from './site-lookup.ts';
import { recordSiteChanges } from '../search/search-outbox.ts';
import { recordWebhookEvent } from '../webhooks/webhook-events.ts';

/** A site is public (its public content readable by anyone) once it has gone online. */
export const isPublicStatus = (s: SiteStatus) => s !== 'PREPARING';

/**
 * A site's content (items, columns, search, feeds, sitemaps, files, mailboxes) is public while it is ONLINE or
 * CLOSING — a closing site keeps showing its content with its notice for the 30 days (2017 §2 整改/关停 notice
 * path). An ARCHIVED site — closed after the notice, or taken down at once (2017 §2 无保障能力的立即关停,
 * `takeSiteDown`) — keeps only its public record (name, status, closing notice) and serves no content: `route`
 * answers 410, every other public read answers as if there were nothing. The SQL doors (zq_public_items,
 * zq_public_item, zq_public_items_under, zq_public_media, migration 0017) apply the same rule.
 */
export const isContentPublicStatus = (s: SiteStatus) => s === 'ONLINE' || s === 'CLOSING';

/** The ids of sites this actor may see at all: everything it reaches, plus every public site. */
export function visibleSiteIds(ctx: Ctx): string[] {
  const ids = new Set(reachableSiteIds(ctx.actor, ctx.directory));
  for (const e of ctx.directory.all()) if (isPublicStatus(e.status)) ids.add(e.id);
  return [...ids];
}

/** One site by code: in full when the actor reaches it, its public face when it is online, else nothing. */
export async function findSite(ctx: Ctx, code: string): Promise<Site | null> {
  const entry = (await ctx.directory.fresh()).byCode(code);
  if (!entry) return null;
  if (reachableSiteIds(ctx.actor, ctx.directory).includes(entry.id)) return ctx.em.findOne(Site, { id: entry.id });
  if (!isPublicStatus(entry.status)) return null;
  return forkForPublicRead(ctx, [entry.id]).findOne(Site, { id: entry.id });
}

/** Sites by id, restricted to those the actor may see (loaders for parent / children use this). */
export async function sitesByIds(ctx: Ctx, ids: readonly string[]): Promise<Site[]> {
  const visible = new Set(visibleSiteIds(ctx));
  const wanted = [...new Set(ids)].filter((id) => visible.has(id));
  if (wanted.length === 0) return [];
  return forkForPublicRead(ctx, wanted).find(Site, { id: { $in: wanted } });
}

export interface ListSitesArgs extends PageArgs {
  kind?: SiteKind | null;
  parentCode?: string | null;
  status?: SiteStatus | null;
}

/** Sites the actor may see, ordered by code. */
export async function listSites(ctx: Ctx, args: ListSitesArgs): Promise<Page<Site>> {
  await ctx.directory.fresh();
  const parentId = args.parentCode
    ? (ctx.directory.byCode(args.parentCode)?.id ?? '00000000-0000-0000-0000-000000000000')
    : undefined;
  const ids = visibleSiteIds(ctx).filter((id) => {
    const e = ctx.directory.byId(id) as DirectoryEntry;
    return (
      (!args.kind || e.kind === args.kind) &&
      (!parentId || e.parentId === parentId) &&
      (!args.status || e.status === args.status)
    );
  });
  return pageOf(forkForPublicRead(ctx, ids), Site, {
    where: { id: { $in: ids } },
    orderBy: 'code',
    cursor: 'text',
    args,
  });
}

export async function domainsOf(ctx: Ctx, siteIds: readonly string[]): Promise<SiteDomain[]> {
  if (siteIds.length === 0) return [];
  return forkForPublicRead(ctx, siteIds).find(
    SiteDomain,
    { siteId: { $in: [...siteIds] } },
    { orderBy: { isPrimary: 'desc', host: 'asc' } },
  );
}

function snapshot(site: Site, domains: string[]) {
  return {
    name: site.name,
    organisationName: site.organisationName,
    organisationCode: site.organisationCode,
    locales: site.locales,
    domains,
    contactPhone: site.contactPhone,
    contactEmail: site.contactEmail,
    contactAddress: site.contactAddress,
    icpRecord: site.icpRecord,
    publicSecurityRecord: site.publicSecurityRecord,
    conacMarkId: site.conacMarkId,
  };
}

/** Settings of a site record: managed from above (platform admins, ancestor site admins). */
export async function updateSite(ctx: Ctx, raw: UpdateSiteInput): Promise<Site> {
  const input = parseInput(updateSiteInput, raw);
  // An organisation changed later keeps the rule: a valid 统一社会信用代码 (or none, for a record from before it).
  if (input.organisation) requireCreditCode(input.organisation.code, false);
  const site = await requireSiteByCode(ctx, input.code);
  if (!canManageSiteRecord(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const result = await mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const s = await tx.findOneOrFail(Site, { id: site.id });
        const oldDomains = (
          await tx.find(SiteDomain, { siteId: s.id }, { orderBy: { isPrimary: 'desc', host: 'asc' } })
        ).map((d) => d.host);
        const before = snapshot(s, oldDomains);
        if (input.name) s.name = input.name;
        if (input.organisation) {
          s.organisationName = input.organisation.name;
          s.organisationCode = input.organisation.code ?? null;
        }
        if (input.locales) s.locales = input.locales;
        if (input.footer) Object.assign(s, input.footer);
        let domains = oldDomains;
        if (input.domains) {
          // Old host names (legacy, issue 12) are kept: they are managed by updateSiteDelivery.
          await tx.nativeDelete(SiteDomain, { siteId: s.id, legacy: false });
          for (const [i, host] of input.domains.entries())
            tx.create(SiteDomain, { host, siteId: s.id, isPrimary: i === 0 });
          domains = input.domains;
        }
        s.updatedAt = ctx.now();
        tx.persist(s);
        await tx.flush();
        const changes = diffFields(before, snapshot(s, domains));
        if (changes.name) await recordSiteChanges(tx, s.id, 'site-rename');
        await appendAudit(tx, ctx, {
          siteId: s.id,
          action: 'site.update',
          targetType: 'Site',
          targetId: s.id,
          changes,
        });
        return s;
      }),
    siteConflicts,
  );
  await ctx.directory.reload();
  return result;
}

export async function setSiteStatus(ctx: Ctx, code: string, status: string, reason?: string | null): Promise<Site> {
  if (!(siteStatuses as readonly string[]).includes(status)) {
    throw new AppError('INVALID_INPUT', `Unknown status ${status}`, { field: 'status' });
  }
  const site = await requireSiteByCode(ctx, code);
  if (!canManageSiteRecord(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  const to = status as SiteStatus;
  const now = ctx.now();
  checkStatusTransition(site.status, to, site.statusChangedAt, now);
  const result = await ctx.em.transactional(async (tx) => {
    const s = await tx.findOneOrFail(Site, { id: site.id });
    const from = s.status;
    s.status = to;
    s.statusChangedAt = now;
    s.updatedAt = now;
    tx.persist(s);
    await tx.flush();
    // Only online (and closing) sites are searchable: their documents come and go with the status.
    await recordSiteChanges(tx, s.id, `site-status:${to}`);
    await recordWebhookEvent(tx, s.id, 'site.status_changed', { site: s.code, from, to }, now);
    await appendAudit(tx, ctx, {
      siteId: s.id,
      action: 'site.status',
      targetType: 'Site',
      targetId: s.id,
      changes: { status: [from, to], reason: reason ?? null },
    });
    return s;
  });
  await ctx.directory.reload();
  return result;
}

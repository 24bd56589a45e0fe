import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { canProvisionUnder, reachableSiteIds } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { Column, newColumnDefaults } from '../columns/column.entity.ts';
import { columnPath } from '../columns/column.policy.ts';
import { AppError } from '../errors/app-error.ts';
import { Membership } from '../people/membership.entity.ts';
import { findUserByEmail, prepareUser } from '../people/user.service.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { forkWithSites } from '../shared/scope.ts';
import { parseInput } from '../shared/validation.ts';
import { Site, SiteDomain, type SiteKind } from './site.entity.ts';
import { type ProvisionSiteInput, provisionSiteInput, siteConflicts } from './site.inputs.ts';
import { requireCreditCode } from './credit-code.policy.ts';
import { checkSitePlacement } from './site.policy.ts';
import { columnTemplate, type TemplateColumn } from './site-templates.ts';

/**
 * Creates the template's column tree; `visible` false keeps a new site free of blank columns (检查指标: 空白栏目).
 * A template's LINK columns have no URL yet, so they start hidden whatever `visible` says (2017 §1.3).
 */
export function instantiateTemplate(
  em: EntityManager,
  siteId: string,
  template: TemplateColumn[],
  now: Date,
  visible: boolean,
): number {
  let count = 0;
  const walk = (nodes: TemplateColumn[], parent: Column | null) => {
    nodes.forEach((t, i) => {
      const col = em.create(Column, {
        id: randomUUID(),
        siteId,
        parentId: parent?.id ?? null,
        code: t.code,
        path: columnPath(parent?.path ?? null, t.code),
        name: t.name,
        type: t.type,
        updateClass: t.updateClass,
        locked: t.locked ?? false,
        visible: visible && t.type !== 'LINK',
        sortOrder: (i + 1) * 10,
        linkUrl: null,
        ...newColumnDefaults,
        createdAt: now,
        updatedAt: now,
      });
      count += 1;
      walk(t.children ?? [], col);
    });
  };
  walk(template, null);
  return count;
}

/**
 * Provisions a sub-site in one transaction: the site, its domains, its column tree from the built-in template
 * for its kind, and its first site admin. A failure anywhere leaves nothing behind.
 */
export async function provisionSite(
  ctx: Ctx,
  raw: ProvisionSiteInput,
  opts: { visibleColumns?: boolean } = {},
): Promise<Site> {
  const input = parseInput(provisionSiteInput, raw);
  const creditCode = requireCreditCode(input.organisation.code);
  const dir = await ctx.directory.fresh();
  const parent = input.parentCode ? dir.byCode(input.parentCode) : undefined;
  // A parent outside the actor's reach is reported like a missing one.
  if (input.parentCode && (!parent || !reachableSiteIds(ctx.actor, dir).includes(parent.id))) {
    throw new AppError('NOT_FOUND', `Parent site ${input.parentCode} not found`, { field: 'parentCode' });
  }
  if (!canProvisionUnder(ctx.actor, parent?.id ?? null, dir)) throw new AppError('FORBIDDEN');
  checkSitePlacement({ kind: input.kind, name: input.name, parentKind: parent?.kind ?? null });
  if (input.kind === 'CITY_PORTAL' && dir.all().some((e) => e.kind === 'CITY_PORTAL')) {
    throw new AppError('CONFLICT', 'The platform already has its city portal', { field: 'kind' });
  }

  const now = ctx.now();
  const existingAdmin = await findUserByEmail(ctx.em, input.admin.email);
  if (existingAdmin && input.admin.password) {
    throw new AppError('CONFLICT', 'This user already exists: omit the password to make them the site admin', {
      field: 'admin.password',
    });
  }
  if (!existingAdmin && (!input.admin.password || !input.admin.name)) {
    throw new AppError('INVALID_INPUT', 'A new site admin needs a name and a password', { field: 'admin.password' });
  }
  const admin =
    existingAdmin ??
    (await prepareUser(
      { email: input.admin.email, name: input.admin.name!, password: input.admin.password! },
      now,
      'admin.password',
    ));

  const id = randomUUID();
  const em = forkWithSites(ctx, [id]);
  const site = await mapUniqueViolations(
    () =>
      em.transactional(async (tx) => {
        const site = tx.create(Site, {
          id,
          code: input.code,
          name: input.name,
          kind: input.kind as SiteKind,
          parentId: parent?.id ?? null,
          siteIdCode: input.siteIdCode,
          organisationName: input.organisation.name,
          organisationCode: creditCode,
          locales: input.locales ?? ['zh-CN'],
          contactPhone: input.footer?.contactPhone ?? null,
          contactEmail: input.footer?.contactEmail ?? null,
          contactAddress: input.footer?.contactAddress ?? null,
          icpRecord: input.footer?.icpRecord ?? null,
          publicSecurityRecord: input.footer?.publicSecurityRecord ?? null,
          conacMarkId: input.footer?.conacMarkId ?? null,
          status: 'PREPARING',
          statusChangedAt: now,
          takenDownAt: null,
          closingReason: null,
          closingNotice: null,
          createdAt: now,
          updatedAt: now,
        });
        await tx.flush();
        for (const [i, host] of input.domains.entries())
          tx.create(SiteDomain, { host, siteId: id, isPrimary: i === 0 });
        const columns = instantiateTemplate(
          tx,
          id,
          columnTemplate(site.kind, site.name),
          now,
          opts.visibleColumns ?? false,
        );
        if (!existingAdmin) tx.persist(admin);
        await tx.flush();
        tx.create(Membership, {
          id: randomUUID(),
          siteId: id,
          userId: admin.id,
          roles: ['SITE_ADMIN'],
          columnId: null,
          outsourced: false,
          outsourcedUntil: null,
          createdAt: now,
          updatedAt: now,
        });
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: id,
          action: 'site.provision',
          targetType: 'Site',
          targetId: id,
          changes: {
            code: site.code,
            name: site.name,
            kind: site.kind,
            parent: parent?.code ?? null,
            siteIdCode: site.siteIdCode,
            organisation: { name: site.organisationName, code: creditCode },
            domains: input.domains,
            columns,
            admin: admin.email,
            adminCreated: !existingAdmin,
          },
        });
        return site;
      }),
    siteConflicts,
  );
  await ctx.directory.reload();
  return site;
}

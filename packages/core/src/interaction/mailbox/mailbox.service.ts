import { randomUUID } from 'node:crypto';
import { canAdministerSite, canHandleInteraction } from '../../access/permissions.policy.ts';
import { appendAudit } from '../../audit/audit.service.ts';
import { AppError } from '../../errors/app-error.ts';
import { requireColumnOf } from '../../items/item-access.ts';
import { Membership } from '../../people/membership.entity.ts';
import { findUserByEmail } from '../../people/user.service.ts';
import type { Ctx } from '../../shared/context.ts';
import { mapUniqueViolations } from '../../shared/db-errors.ts';
import { forkForPublicRead } from '../../shared/scope.ts';
import { parseInput } from '../../shared/validation.ts';
import { isContentPublicStatus } from '../../sites/site.service.ts';
import { assertWritable, requireSiteByCode } from '../../sites/site-lookup.ts';
import { type CreateMailboxInput, createMailboxInput } from './letter.inputs.ts';
import { Mailbox } from './mailbox.entity.ts';

/** A user who may handle the site's letters (a member with INTERACTION_HANDLER or SITE_ADMIN), or NOT_FOUND. */
export async function requireHandlerUser(ctx: Ctx, siteId: string, email: string, field: string) {
  const user = await findUserByEmail(ctx.em, email);
  const member = user ? await ctx.em.findOne(Membership, { siteId, userId: user.id }) : null;
  const roles = (member?.roles ?? []) as string[];
  if (!user || !(roles.includes('INTERACTION_HANDLER') || roles.includes('SITE_ADMIN'))) {
    throw new AppError('NOT_FOUND', 'No interaction handler of this site has that e-mail', { field });
  }
  return user;
}

/** Site admins set up mailboxes, each with its named maintainer (2015 §4: 专人负责). */
export async function createMailbox(ctx: Ctx, raw: CreateMailboxInput): Promise<Mailbox> {
  const input = parseInput(createMailboxInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const column = input.column ? await requireColumnOf(ctx, site.id, input.column) : null;
  const maintainer = await requireHandlerUser(ctx, site.id, input.maintainer, 'maintainer');
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const mailbox = tx.create(Mailbox, {
          id: randomUUID(),
          siteId: site.id,
          columnId: column?.id ?? null,
          name: input.name,
          maintainerId: maintainer.id,
          maintainerName: maintainer.name,
          createdAt: ctx.now(),
        });
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: 'mailbox.create',
          targetType: 'Mailbox',
          targetId: mailbox.id,
          changes: { name: input.name, columnId: mailbox.columnId, maintainer: maintainer.name },
        });
        return mailbox;
      }),
    { mailbox_site_id_name_key: { field: 'name', message: 'This site already has a mailbox of that name' } },
  );
}

/** Public: the mailboxes of a public site (or of a site the actor reaches); unknown sites are NOT_FOUND. */
export async function listMailboxes(ctx: Ctx, siteCode: string): Promise<Mailbox[]> {
  const entry = (await ctx.directory.fresh()).byCode(siteCode);
  const reach = entry && canHandleInteraction(ctx.actor, entry.id, ctx.directory);
  if (!entry || !(reach || isContentPublicStatus(entry.status))) {
    throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  }
  return forkForPublicRead(ctx, [entry.id]).find(Mailbox, { siteId: entry.id }, { orderBy: { createdAt: 'asc' } });
}

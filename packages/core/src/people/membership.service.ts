import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { Column } from '../columns/column.entity.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { diffFields } from '../shared/diff.ts';
import { parseInput } from '../shared/validation.ts';
import { emailInput } from '../sites/site.inputs.ts';
import { assertWritable, requireSiteById, requireSiteByCode } from '../sites/site-lookup.ts';
import { Membership, siteRoles } from './membership.entity.ts';
import { User } from './user.entity.ts';
import { findUserByEmail } from './user.service.ts';

const CONTENT_ROLES = new Set(['EDITOR', 'REVIEWER', 'APPROVER', 'INTERACTION_HANDLER', 'VIEWER']);
const date = z.iso.date();

const memberFields = {
  roles: z
    .array(z.enum(siteRoles))
    .min(1)
    .transform((r) => [...new Set(r)]),
  /** Limits the content roles to this column's subtree. */
  columnId: z.uuid().nullish(),
  /** 外包 (2015 §10): outsourced staff's access ends on `outsourcedUntil`. */
  outsourced: z.boolean().nullish(),
  outsourcedUntil: date.nullish(),
};
const addInput = z.object({ site: z.string(), email: emailInput, ...memberFields });
const updateInput = z.object({
  id: z.uuid(),
  roles: memberFields.roles.nullish(),
  columnId: memberFields.columnId,
  outsourced: memberFields.outsourced,
  outsourcedUntil: memberFields.outsourcedUntil,
});
export type AddMemberInput = z.input<typeof addInput>;
export type UpdateMemberInput = z.input<typeof updateInput>;

function checkShape(m: {
  roles: string[];
  columnId: string | null;
  outsourced: boolean;
  outsourcedUntil: string | null;
}) {
  if (m.columnId && !m.roles.some((r) => CONTENT_ROLES.has(r))) {
    throw new AppError('INVALID_INPUT', 'A column limit applies to content roles, not to SITE_ADMIN alone', {
      field: 'columnId',
    });
  }
  if (m.outsourced && !m.outsourcedUntil) {
    throw new AppError('INVALID_INPUT', 'Outsourced memberships need an end date (2015 §10)', {
      field: 'outsourcedUntil',
    });
  }
}

async function checkColumn(ctx: Ctx, siteId: string, columnId: string | null) {
  if (columnId && !(await ctx.em.findOne(Column, { id: columnId, siteId }))) {
    throw new AppError('NOT_FOUND', 'Column not found in this site', { field: 'columnId' });
  }
}

async function requireManagedMembership(ctx: Ctx, id: string) {
  const membership = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(Membership, { id }) : null;
  if (!membership) throw new AppError('NOT_FOUND', 'Membership not found', { field: 'id' });
  const site = await requireSiteById(ctx, membership.siteId);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  return membership;
}

const snapshot = (m: Membership) => ({
  roles: m.roles,
  columnId: m.columnId,
  outsourced: m.outsourced,
  outsourcedUntil: m.outsourcedUntil,
});

export async function addMember(ctx: Ctx, raw: AddMemberInput): Promise<Membership> {
  const input = parseInput(addInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  assertWritable(site);
  const user = await findUserByEmail(ctx.em, input.email);
  if (!user) throw new AppError('NOT_FOUND', 'No user with this e-mail: create the user first', { field: 'email' });
  if (user.disabled) throw new AppError('USER_DISABLED', undefined, { field: 'email' });
  const shape = {
    roles: input.roles,
    columnId: input.columnId ?? null,
    outsourced: input.outsourced ?? false,
    outsourcedUntil: input.outsourcedUntil ?? null,
  };
  checkShape(shape);
  await checkColumn(ctx, site.id, shape.columnId);
  const now = ctx.now();
  return mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        const m = tx.create(Membership, {
          id: randomUUID(),
          siteId: site.id,
          userId: user.id,
          ...shape,
          createdAt: now,
          updatedAt: now,
        });
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId: site.id,
          action: 'member.add',
          targetType: 'Membership',
          targetId: m.id,
          changes: { user: user.email, ...shape },
        });
        return m;
      }),
    { membership_site_id_user_id_key: { field: 'email', message: 'This user is already a member of the site' } },
  );
}

async function assertKeepsAnAdmin(ctx: Ctx, m: Membership, nextRoles: string[] | null) {
  if (!m.roles.includes('SITE_ADMIN') || nextRoles?.includes('SITE_ADMIN')) return;
  const admins = await ctx.em.count(Membership, { siteId: m.siteId, roles: { $contains: ['SITE_ADMIN'] } });
  if (admins <= 1) throw new AppError('LAST_SITE_ADMIN', undefined, { field: 'roles' });
}

export async function updateMember(ctx: Ctx, raw: UpdateMemberInput): Promise<Membership> {
  const input = parseInput(updateInput, raw);
  const m = await requireManagedMembership(ctx, input.id);
  const next = {
    roles: input.roles ?? m.roles,
    columnId: (input.columnId === undefined ? m.columnId : input.columnId) ?? null,
    outsourced: input.outsourced ?? m.outsourced,
    outsourcedUntil: (input.outsourcedUntil === undefined ? m.outsourcedUntil : input.outsourcedUntil) ?? null,
  };
  if (!next.outsourced) next.outsourcedUntil = null;
  checkShape(next);
  await checkColumn(ctx, m.siteId, next.columnId);
  await assertKeepsAnAdmin(ctx, m, next.roles);
  return ctx.em.transactional(async (tx) => {
    const row = await tx.findOneOrFail(Membership, { id: m.id });
    const before = snapshot(row);
    Object.assign(row, next, { updatedAt: ctx.now() });
    tx.persist(row);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: row.siteId,
      action: 'member.update',
      targetType: 'Membership',
      targetId: row.id,
      changes: diffFields(before, snapshot(row)),
    });
    return row;
  });
}

export async function removeMember(ctx: Ctx, id: string): Promise<string> {
  const m = await requireManagedMembership(ctx, id);
  await assertKeepsAnAdmin(ctx, m, null);
  await ctx.em.transactional(async (tx) => {
    await tx.nativeDelete(Membership, { id: m.id });
    await appendAudit(tx, ctx, {
      siteId: m.siteId,
      action: 'member.remove',
      targetType: 'Membership',
      targetId: m.id,
      changes: { userId: m.userId, ...snapshot(m) },
    });
  });
  return m.id;
}

/** Memberships of sites the actor administers (for listing members); others' are not shown. */
export async function membershipsOfSites(ctx: Ctx, siteIds: readonly string[]): Promise<Membership[]> {
  const ids = siteIds.filter((id) => canAdministerSite(ctx.actor, id, ctx.directory));
  if (ids.length === 0) return [];
  return ctx.em.find(Membership, { siteId: { $in: ids } }, { orderBy: { siteId: 'asc', createdAt: 'asc', id: 'asc' } });
}

/** Users by id; callers reach them only through memberships the actor may already see. */
export async function usersByIds(ctx: Ctx, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return ctx.em.find(User, { id: { $in: [...new Set(ids)] } });
}

/**
 * The register of legacy sites being consolidated onto the platform (2015 §9; 2017 §2: township and
 * internal-unit sites closed, their functions folded into the county portal or department site): name, old
 * hosts, owner, kind, deadline and state, so the office sees which are still outside and past the deadline.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { parseInput, withDefault } from '../shared/validation.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { LegacySite, legacySiteKinds, legacySiteStates } from './import.entities.ts';

const host = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a host name such as www.old.gov.cn');

const upsertInput = z.object({
  site: z.string(),
  id: z.uuid().nullish(),
  name: z.string().trim().min(1).max(200),
  oldHosts: z.array(host).max(20).nullish(),
  owner: z.string().trim().max(200).nullish(),
  kind: withDefault(z.enum(legacySiteKinds), 'OTHER'),
  deadline: z.iso.date().nullish(),
  state: withDefault(z.enum(legacySiteStates), 'MIGRATING'),
  note: z.string().trim().max(2000).nullish(),
});
export type UpsertLegacySiteInput = z.input<typeof upsertInput>;

async function requireRegisterSite(ctx: Ctx, code: string, write: boolean) {
  const site = await requireSiteByCode(ctx, code);
  const ok =
    canAdministerSite(ctx.actor, site.id, ctx.directory) ||
    (ctx.actor.kind === 'apiToken' && ctx.actor.siteId === site.id && ctx.actor.scopes.includes('IMPORT')) ||
    (!write && ctx.actor.kind === 'user' && ctx.actor.memberships.some((m) => m.siteId === site.id));
  if (!ok) throw new AppError('FORBIDDEN');
  return site;
}

export interface LegacySiteView extends LegacySite {
  /** Past its deadline and still not redirected or closed. */
  overdue: boolean;
}

const view = (l: LegacySite, today: string): LegacySiteView =>
  Object.assign(l, { overdue: !!l.deadline && l.deadline < today && l.state === 'MIGRATING' });

const chinaToday = (now: Date) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The register of a site (and, for a county portal, its townships' entries are its own rows). */
export async function listLegacySites(ctx: Ctx, siteCode: string): Promise<LegacySiteView[]> {
  const site = await requireRegisterSite(ctx, siteCode, false);
  const rows = await ctx.em.find(LegacySite, { siteId: site.id }, { orderBy: { deadline: 'asc', name: 'asc' } });
  const today = chinaToday(ctx.now());
  return rows.map((r) => view(r, today));
}

/**
 * Adds or changes an entry. Setting it REDIRECTED attaches its old hosts to the site as legacy host names: the
 * delivery edge then answers their requests with 301s to the new addresses (issue 12).
 */
export async function upsertLegacySite(ctx: Ctx, raw: UpsertLegacySiteInput): Promise<LegacySiteView> {
  const input = parseInput(upsertInput, raw);
  const site = await requireRegisterSite(ctx, input.site, true);
  const now = ctx.now();
  const saved = await ctx.em.transactional(async (tx) => {
    const existing = input.id ? await tx.findOne(LegacySite, { id: input.id, siteId: site.id }) : null;
    if (input.id && !existing) throw new AppError('NOT_FOUND', 'Legacy site not found', { field: 'id' });
    const before = existing
      ? { state: existing.state, oldHosts: existing.oldHosts, deadline: existing.deadline }
      : null;
    const row =
      existing ??
      tx.create(LegacySite, {
        id: randomUUID(),
        siteId: site.id,
        name: input.name,
        oldHosts: [],
        owner: null,
        kind: input.kind,
        deadline: null,
        state: input.state,
        note: null,
        createdAt: now,
        updatedAt: now,
      });
    row.name = input.name;
    row.oldHosts = input.oldHosts ?? row.oldHosts;
    row.owner = input.owner ?? row.owner ?? null;
    row.kind = input.kind;
    row.deadline = input.deadline ?? row.deadline ?? null;
    row.state = input.state;
    row.note = input.note ?? row.note ?? null;
    row.updatedAt = now;
    tx.persist(row);
    await tx.flush();
    if (row.state === 'REDIRECTED' && row.oldHosts.length) {
      for (const h of row.oldHosts) {
        const [taken] = await tx.execute<{ site_id: string }[]>('select site_id from site_domain where host = ?', [h]);
        if (taken && taken.site_id !== site.id)
          throw new AppError('CONFLICT', `${h} is a host of another site`, { field: 'oldHosts' });
        if (!taken)
          await tx.execute('insert into site_domain (host, site_id, is_primary, legacy) values (?, ?, false, true)', [
            h,
            site.id,
          ]);
      }
    }
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: existing ? 'legacySite.update' : 'legacySite.create',
      targetType: 'LegacySite',
      targetId: row.id,
      changes: {
        name: row.name,
        state: before ? [before.state, row.state] : row.state,
        oldHosts: row.oldHosts,
        deadline: row.deadline,
      },
    });
    return row;
  });
  if (saved.state === 'REDIRECTED') await ctx.directory.reload();
  return view(saved, chinaToday(now));
}

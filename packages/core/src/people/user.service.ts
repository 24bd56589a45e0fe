import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { isPlatformWide } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { mapUniqueViolations } from '../shared/db-errors.ts';
import { parseInput } from '../shared/validation.ts';
import { emailInput } from '../sites/site.inputs.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { checkPasswordStrength, hashPassword } from './password.ts';
import { User } from './user.entity.ts';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  platformAdmin?: boolean;
}

/** Hashes outside any transaction (scrypt is slow on purpose), so the caller's transaction stays short. */
export async function prepareUser(input: NewUser, now: Date, field = 'password'): Promise<User> {
  checkPasswordStrength(input.password, input.email, field);
  const user = new User();
  Object.assign(user, {
    id: randomUUID(),
    email: input.email.toLowerCase(),
    name: input.name,
    passwordHash: await hashPassword(input.password),
    disabled: false,
    platformAdmin: input.platformAdmin ?? false,
    sessionVersion: 0,
    createdAt: now,
    updatedAt: now,
  });
  return user;
}

export async function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(User, { email: email.toLowerCase() });
}

const createUserInput = z.object({
  email: emailInput,
  name: z.string().trim().min(1).max(100),
  password: z.string(),
  platformAdmin: z.boolean().nullish(),
  /** The site on whose behalf a site admin creates the user (their audit chain records it). */
  site: z.string().nullish(),
});
export type CreateUserInput = z.input<typeof createUserInput>;

export const userConflicts = {
  app_user_email_uq: { field: 'email', message: 'A user with this e-mail already exists' },
};

/**
 * Users are platform-wide. Platform admins create anyone (and only they create platform admins); a site admin
 * creates users for their site, naming it, so that the record lands in that site's audit chain.
 */
export async function createUser(ctx: Ctx, raw: CreateUserInput): Promise<User> {
  const input = parseInput(createUserInput, raw);
  let siteId: string | null = null;
  if (input.site) {
    const site = await requireSiteByCode(ctx, input.site);
    if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
    siteId = site.id;
  } else if (!isPlatformWide(ctx.actor)) {
    throw new AppError('FORBIDDEN', 'Name the site you create this user for', { field: 'site' });
  }
  if (input.platformAdmin && !isPlatformWide(ctx.actor)) {
    throw new AppError('FORBIDDEN', 'Only platform admins create platform admins', { field: 'platformAdmin' });
  }
  const user = await prepareUser({ ...input, platformAdmin: input.platformAdmin ?? false }, ctx.now());
  await mapUniqueViolations(
    () =>
      ctx.em.transactional(async (tx) => {
        tx.persist(user);
        await tx.flush();
        await appendAudit(tx, ctx, {
          siteId,
          action: 'user.create',
          targetType: 'User',
          targetId: user.id,
          changes: { email: user.email, name: user.name, platformAdmin: user.platformAdmin },
        });
      }),
    userConflicts,
  );
  return user;
}

import type { ActorMembership } from '../access/actor.ts';
import { isSameOrBelow } from '../columns/column.policy.ts';
import { AppError } from '../errors/app-error.ts';
import type { SiteRole } from '../people/membership.entity.ts';
import type { ItemState } from './item.entity.ts';

/**
 * 三审制度 (2015 §12, 2017 §1.2): 初审 by the entry clerk (EDITOR), 审核 by the section (REVIEWER), 审发 by the
 * responsible leader (APPROVER) — three different people; the reviewer answers for what they sign.
 */
export type ReviewLevel = 1 | 2 | 3;

export const levelRole: Record<ReviewLevel, SiteRole> = { 1: 'EDITOR', 2: 'REVIEWER', 3: 'APPROVER' };

const levelByState: Partial<Record<ItemState, ReviewLevel>> = { FIRST_REVIEW: 1, REVIEW: 2, SIGN_OFF: 3 };

export const REVIEW_STATES: readonly ItemState[] = ['FIRST_REVIEW', 'REVIEW', 'SIGN_OFF'];

/** The level an item in this state waits for, or an error when it is not under review. */
export function pendingLevel(state: ItemState): ReviewLevel {
  const level = levelByState[state];
  if (!level)
    throw new AppError('INVALID_ITEM_STATE', `The item is ${state}, not under review`, { details: { state } });
  return level;
}

export function stateAfterApproval(level: ReviewLevel): ItemState {
  return level === 1 ? 'REVIEW' : level === 2 ? 'SIGN_OFF' : 'PUBLISHED';
}

export function checkSubmittable(state: ItemState): void {
  if (state !== 'DRAFT') {
    throw new AppError('INVALID_ITEM_STATE', `Only a draft can be submitted; the item is ${state}`, {
      details: { state },
    });
  }
}

/**
 * A signer may sign once per review cycle, and an author may sign only the first level ("the entry clerk may
 * sign the first review of their own item"). Authors are the item's creator and everyone who wrote a revision
 * since the last publication (2015 §12: nobody approves their own words).
 */
export function checkSigner(input: {
  level: ReviewLevel;
  signerId: string;
  authorIds: string[];
  signedThisCycle: string[];
}) {
  if (input.signedThisCycle.includes(input.signerId)) throw new AppError('SIGNER_ALREADY_SIGNED');
  if (input.level > 1 && input.authorIds.includes(input.signerId)) throw new AppError('SELF_REVIEW_NOT_ALLOWED');
}

/**
 * Whether a membership grants `role` for a column: the membership is on the item's site and either covers the
 * whole site or a subtree containing the column.
 */
export function grantsRoleFor(
  memberships: (ActorMembership & { columnPath?: string | null })[],
  siteId: string,
  role: SiteRole,
  columnPath: string,
): 'YES' | 'NO_ROLE' | 'OUT_OF_SCOPE' {
  const withRole = memberships.filter((m) => m.siteId === siteId && m.roles.includes(role));
  if (withRole.length === 0) return 'NO_ROLE';
  return withRole.some((m) => !m.columnId || (m.columnPath && isSameOrBelow(columnPath, m.columnPath)))
    ? 'YES'
    : 'OUT_OF_SCOPE';
}

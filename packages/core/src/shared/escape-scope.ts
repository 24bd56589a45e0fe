import type { EntityManager } from '@mikro-orm/sql';
import { appendAudit } from '../audit/audit.service.ts';
import type { Ctx } from './context.ts';
import { forkWithSites } from './scope.ts';

/**
 * The one way out of the actor's site scope for work that must touch another site (architecture: "escaping
 * the site scope goes through one helper that names its reason and writes it to the audit log"). The work runs
 * in one transaction whose scope is the actor's reach plus `siteIds`; a `scope.escape` record naming the reason
 * is appended to the chain of every site added, in that same transaction. Call it only after the permission
 * check on the actor's own site.
 */
export async function withEscapedScope<T>(
  ctx: Ctx,
  scope: { reason: string; siteIds: string[]; targetType: string; targetId: string },
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return forkWithSites(ctx, scope.siteIds).transactional(async (tx) => {
    const result = await work(tx);
    for (const siteId of new Set(scope.siteIds)) {
      await appendAudit(tx, ctx, {
        siteId,
        action: 'scope.escape',
        targetType: scope.targetType,
        targetId: scope.targetId,
        changes: { reason: scope.reason },
      });
    }
    return result;
  });
}

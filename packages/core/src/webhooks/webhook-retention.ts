import type { Ctx } from '../shared/context.ts';

export interface WebhookRetention {
  /** Successful attempts are kept this many days. */
  days: number;
  /** Failed attempts are kept this many days (longer: they are what a site admin investigates). */
  failedDays: number;
}

export const defaultWebhookRetention: WebhookRetention = { days: 30, failedDays: 90 };

const BATCH = 5_000;
const DAY = 86_400_000;

/**
 * Purges the webhook delivery log and the dispatched outbox events nothing refers to any more (the worker's daily
 * `purge-webhook-log` job). Without it both tables grow with every publication for ever (ADR 0020 left it open).
 * Successful attempts go after `days`, failed ones after `failedDays`; an event goes once it is dispatched, older
 * than `days`, and no logged attempt refers to it (so a logged delivery can always be redelivered). Undispatched
 * events are pending work and are never purged. Deletes in batches, each its own statement, so no long lock is
 * held on tables the dispatcher and the delivery jobs write to.
 */
export async function purgeWebhookLog(
  ctx: Ctx,
  retention: WebhookRetention = defaultWebhookRetention,
): Promise<{ deliveries: number; events: number }> {
  await ctx.directory.fresh();
  const now = ctx.now().getTime();
  const okBefore = new Date(now - retention.days * DAY);
  const failedBefore = new Date(now - retention.failedDays * DAY);
  const loop = async (sql: string, params: unknown[]) => {
    let total = 0;
    for (;;) {
      const [row] = await ctx.em.execute<{ n: number }[]>(sql, [...params, BATCH]);
      total += row?.n ?? 0;
      if ((row?.n ?? 0) < BATCH) return total;
    }
  };
  const deliveries = await loop(
    `with gone as (delete from webhook_delivery where id in (
       select id from webhook_delivery
        where (status = 'SUCCEEDED' and created_at < ?) or (status = 'FAILED' and created_at < ?)
        limit ?) returning 1)
     select count(*)::int as n from gone`,
    [okBefore, failedBefore],
  );
  const events = await loop(
    `with gone as (delete from webhook_event where id in (
       select e.id from webhook_event e
        where e.dispatched_at is not null and e.created_at < ?
          and not exists (select 1 from webhook_delivery d where d.event_id = e.id)
        limit ?) returning 1)
     select count(*)::int as n from gone`,
    [okBefore],
  );
  return { deliveries, events };
}

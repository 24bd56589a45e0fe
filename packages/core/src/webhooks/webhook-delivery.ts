import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit.service.ts';
import type { Ctx } from '../shared/context.ts';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from './webhook.entity.ts';
import type { WebhookSender } from './webhook.port.ts';
import { defaultWebhookSettings } from './webhook.service.ts';

/**
 * Turns pending outbox events into one delivery job per subscribed, enabled endpoint (the worker: woken by NOTIFY
 * at commit, backed up by a poll). Jobs are sent before the events are marked, so a crash in between sends them
 * again: delivery is at least once, and the message id (the event id) lets receivers deduplicate.
 */
export async function dispatchWebhookEvents(ctx: Ctx, limit = 200): Promise<{ events: number; jobs: number }> {
  await ctx.directory.fresh();
  const send = ctx.jobs?.deliverWebhook;
  if (!send) throw new Error('no job port for webhook deliveries');
  return ctx.em.transactional(async (tx) => {
    // Two dispatchers (two workers) never take the same events.
    const events = await tx.execute<{ id: string; site_id: string; type: string }[]>(
      `select id, site_id, type from webhook_event where dispatched_at is null
        order by created_at limit ? for update skip locked`,
      [limit],
    );
    if (events.length === 0) return { events: 0, jobs: 0 };
    const endpoints = await tx.find(WebhookEndpoint, {
      siteId: { $in: [...new Set(events.map((e) => e.site_id))] },
      enabled: true,
    });
    let jobs = 0;
    for (const event of events) {
      for (const endpoint of endpoints)
        if (endpoint.siteId === event.site_id && endpoint.events.includes(event.type)) {
          await send(event.id, endpoint.id);
          jobs += 1;
        }
    }
    await tx.execute('update webhook_event set dispatched_at = ? where id in (?)', [
      ctx.now(),
      events.map((e) => e.id),
    ]);
    return { events: events.length, jobs };
  });
}

/** The JSON body of a message (Standard Webhooks' recommended envelope: type, timestamp, data). */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.payload });
}

export class WebhookDeliveryFailed extends Error {
  readonly status: number | null;
  constructor(status: number | null, reason: string | null) {
    super(`webhook delivery failed: ${status ?? reason ?? 'no answer'}`);
    this.name = 'WebhookDeliveryFailed';
    this.status = status;
  }
}

export type DeliveryOutcome = 'SUCCEEDED' | 'FAILED' | 'DISABLED' | 'SKIPPED';

/**
 * One attempt to deliver an event to an endpoint, logged. A failed automatic attempt throws, so the job queue
 * retries it with exponential back-off; each failure counts towards the endpoint's automatic disable (after N
 * consecutive failures, audited), a success resets the count. A manual redelivery is logged but never retried.
 */
export async function deliverWebhook(
  ctx: Ctx,
  sender: WebhookSender,
  job: { eventId: string; endpointId: string; manual?: boolean },
): Promise<DeliveryOutcome> {
  await ctx.directory.fresh();
  const em = ctx.em;
  const [endpoint, event] = await Promise.all([
    em.findOne(WebhookEndpoint, { id: job.endpointId }),
    em.findOne(WebhookEvent, { id: job.eventId }),
  ]);
  // Deleted, or disabled since the job was queued: nothing to do, and nothing to retry.
  if (!endpoint || !event || !endpoint.enabled) return 'SKIPPED';
  const now = ctx.now();
  const secrets = [endpoint.secret];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now)
    secrets.push(endpoint.previousSecret);
  const result = await sender.send({
    url: endpoint.url,
    id: event.id,
    timestamp: now,
    body: webhookBody(event),
    secrets,
  });
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const threshold = (ctx.settings.webhooks ?? defaultWebhookSettings).disableAfterFailures;
  const disabled = await em.transactional(async (tx) => {
    const [counted] = await tx.execute<{ n: number }[]>(
      'select count(*)::int as n from webhook_delivery where event_id = ? and endpoint_id = ?',
      [event.id, endpoint.id],
    );
    tx.create(WebhookDelivery, {
      id: randomUUID(),
      siteId: endpoint.siteId,
      endpointId: endpoint.id,
      eventId: event.id,
      eventType: event.type,
      attempt: (counted?.n ?? 0) + 1,
      manual: job.manual ?? false,
      status: ok ? 'SUCCEEDED' : 'FAILED',
      responseStatus: result.status,
      durationMs: Math.round(result.durationMs),
      responseBody: result.body,
      error: result.error?.slice(0, 1000) ?? null,
      createdAt: ctx.now(),
    });
    await tx.flush();
    // One statement: the count moves atomically even when several deliveries to this endpoint finish at once.
    const [row] = await tx.execute<{ consecutive_failures: number; enabled: boolean }[]>(
      `update webhook_endpoint
          set consecutive_failures = case when ? then 0 else consecutive_failures + 1 end,
              enabled = enabled and (? or consecutive_failures + 1 < ?),
              disabled_reason = case when enabled and not ? and consecutive_failures + 1 >= ?
                                     then ? else disabled_reason end
        where id = ? returning consecutive_failures, enabled`,
      [ok, ok, threshold, ok, threshold, `${threshold} consecutive failed deliveries`, endpoint.id],
    );
    const nowDisabled = !!row && !row.enabled && !ok && row.consecutive_failures === threshold;
    if (nowDisabled)
      await appendAudit(tx, ctx, {
        siteId: endpoint.siteId,
        action: 'webhook.autoDisable',
        targetType: 'WebhookEndpoint',
        targetId: endpoint.id,
        changes: { consecutiveFailures: threshold, lastStatus: result.status, lastError: result.error },
      });
    return nowDisabled;
  });
  if (ok) return 'SUCCEEDED';
  if (disabled) return 'DISABLED';
  if (job.manual) return 'FAILED';
  throw new WebhookDeliveryFailed(result.status, result.error);
}

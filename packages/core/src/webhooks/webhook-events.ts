import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';

/**
 * The event types a site's endpoints can subscribe to (the `type` of each message, Standard Webhooks style). The
 * payloads are thin on purpose — ids, addresses and dates, never bodies: a receiver that needs more asks the API
 * (`route`, `item`), which answers with what is public *now*, not what was public when the event was written.
 */
export const webhookEventTypes = [
  /** An item became public for the first time (or again after a withdrawal). */
  'item.published',
  /** A new version of an item that was already public was published. */
  'item.updated',
  /** 撤稿: a public item left the site. */
  'item.withdrawn',
  /** A column was renamed, moved, hidden/shown, merged, closed, deleted or got names per locale. */
  'column.changed',
  /** The site's status changed (ONLINE, CLOSING, ARCHIVED…). */
  'site.status_changed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * Writes one event to the outbox inside the caller's transaction — one statement, and nothing at all unless the
 * site has an enabled endpoint subscribed to this type, so a site without webhooks pays one index probe. The row
 * exists exactly when the change commits; the worker delivers it later (at least once).
 */
export async function recordWebhookEvent(
  tx: EntityManager,
  siteId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await tx.execute(
    `insert into webhook_event (id, site_id, type, payload, created_at)
     select ?, ?, ?, ?::jsonb, ?
      where exists (select 1 from webhook_endpoint e where e.site_id = ? and e.enabled and ? = any (e.events))`,
    [randomUUID(), siteId, type, JSON.stringify(data), at, siteId, type],
  );
}

/** column.changed, for a theme to refresh its navigation (and the column's pages). */
export async function recordColumnChanged(
  tx: EntityManager,
  column: { id: string; siteId: string; path: string; name: string },
  change: 'created' | 'updated' | 'moved' | 'reordered' | 'merged' | 'closed' | 'deleted' | 'names',
  at: Date,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await recordWebhookEvent(
    tx,
    column.siteId,
    'column.changed',
    { change, column: { id: column.id, path: column.path, name: column.name }, ...extra },
    at,
  );
}

-- Issue 12 gap: the webhook delivery log and the outbox are purged daily (the worker's purge-webhook-log job,
-- docs/operations.md#webhooks). These indexes let the purge find old rows without reading the whole tables,
-- which grow with every publication.
create index webhook_delivery_created_idx on webhook_delivery (created_at);
create index webhook_event_dispatched_idx on webhook_event (created_at) where dispatched_at is not null;

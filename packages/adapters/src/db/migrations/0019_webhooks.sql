-- Issue 12: webhooks per site (Standard Webhooks), and rate-limit counters shared by every API instance.

-- A site's webhook endpoints, managed by its admins. The secret signs every message (HMAC-SHA256, Standard
-- Webhooks: whsec_ + base64 of 24–64 random bytes); it must be kept to sign, so it is stored, and shown only at
-- creation and rotation. During a rotation the previous secret keeps signing too (two signatures in one header)
-- until previous_secret_expires_at, so receivers can switch without losing a message.
create table webhook_endpoint (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  url text not null check (url ~ '^https?://' and length(url) <= 2000),
  description text not null default '' check (length(description) <= 500),
  events text[] not null check (cardinality(events) between 1 and 20),
  secret text not null check (secret ~ '^whsec_'),
  previous_secret text check (previous_secret ~ '^whsec_'),
  previous_secret_expires_at timestamptz,
  enabled boolean not null default true,
  disabled_reason text check (length(disabled_reason) <= 500),
  consecutive_failures int not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index webhook_endpoint_site_idx on webhook_endpoint (site_id) where enabled;

-- The outbox: one row per event, written in the same transaction as the change (publication, withdrawal, column
-- change, site status), and only when the site has an enabled endpoint subscribed to that event type. Its id is
-- the message id (webhook-id) of every delivery and redelivery, so receivers can deduplicate.
create table webhook_event (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  type text not null check (length(type) <= 100),
  payload jsonb not null,
  created_at timestamptz not null,
  dispatched_at timestamptz
);
create index webhook_event_pending_idx on webhook_event (created_at) where dispatched_at is null;
create index webhook_event_site_idx on webhook_event (site_id, created_at desc);

-- The delivery log: one row per attempt (automatic or manual), with what the receiver answered.
create table webhook_delivery (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  endpoint_id uuid not null references webhook_endpoint (id) on delete cascade,
  event_id uuid not null references webhook_event (id) on delete cascade,
  event_type text not null,
  attempt int not null check (attempt >= 1),
  manual boolean not null default false,
  status text not null check (status in ('SUCCEEDED', 'FAILED')),
  response_status int,
  duration_ms int not null,
  response_body text check (length(response_body) <= 4096),
  error text check (length(error) <= 1000),
  created_at timestamptz not null
);
create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, created_at desc, id);
create index webhook_delivery_event_idx on webhook_delivery (event_id, endpoint_id);

alter table webhook_endpoint enable row level security;
create policy webhook_endpoint_scope on webhook_endpoint using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table webhook_event enable row level security;
create policy webhook_event_scope on webhook_event using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table webhook_delivery enable row level security;
create policy webhook_delivery_scope on webhook_delivery using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update, delete on webhook_endpoint, webhook_event, webhook_delivery to zhanqun_app;

-- A new event wakes the worker's dispatcher at commit (NOTIFY is transactional); its poll backs this up.
create function zq_notify_webhook_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('zq_webhook_event', '');
  return null;
end $$;
create trigger webhook_event_notify after insert on webhook_event
  for each statement execute function zq_notify_webhook_event();

-- Rate-limit counters shared by every API instance (fixed one-minute windows). UNLOGGED: not written to the WAL
-- nor replicated, emptied after a crash — a lost counter only forgives one window. Not site-owned (keys are
-- hashed API tokens and client addresses), so no row-level security.
create unlogged table rate_limit_counter (
  key text not null check (length(key) <= 200),
  window_start timestamptz not null,
  hits int not null,
  primary key (key, window_start)
);
grant select, insert, update, delete on rate_limit_counter to zhanqun_app;

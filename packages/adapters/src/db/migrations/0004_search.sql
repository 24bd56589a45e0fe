-- Search stays in step with what is published: every change that affects the public index writes a change
-- record in the same transaction (an outbox); the worker delivers them to Meilisearch, re-reading the current
-- state, so retries are harmless and nothing is lost while Meilisearch is down.
create table search_change (
  id bigserial primary key,
  item_id uuid not null,
  site_id uuid not null references site (id),
  reason text not null,
  created_at timestamptz not null default now(),
  processed_at timestamptz
);
create index search_change_pending_idx on search_change (id) where processed_at is null;
create index search_change_processed_idx on search_change (processed_at) where processed_at is not null;

alter table search_change enable row level security;
create policy search_change_scope on search_change using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

grant select, insert, update, delete on search_change to zhanqun_app;
grant usage on sequence search_change_id_seq to zhanqun_app;

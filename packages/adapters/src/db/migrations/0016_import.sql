-- Issue 11: one-click migration of legacy government sites (2015 §9: 已建成的政府网站要在 2018 年 12 月 31 日前迁移到
-- 统一的技术平台; 2017 §2: township and internal-unit sites closed, their functions folded into the county portal).
-- Every table is site-owned under row-level security, like the content it feeds.

-- The register of legacy sites being consolidated: the office sees which are still outside the platform.
create table legacy_site (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  old_hosts text[] not null default '{}',
  owner text check (length(owner) <= 200),
  kind text not null check (kind in ('TOWNSHIP', 'INTERNAL_UNIT', 'DEPARTMENT', 'OTHER')),
  deadline date,
  state text not null check (state in ('MIGRATING', 'REDIRECTED', 'CLOSED', 'CLOSED_AT_ONCE')),
  note text check (length(note) <= 2000),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (site_id, name)
);
alter table legacy_site enable row level security;
create policy legacy_site_scope on legacy_site
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update, delete on legacy_site to zhanqun_app;

-- One import of one legacy source into one site: PLANNING → PLANNED → STAGING → STAGED → APPLYING → IN_REVIEW →
-- PUBLISHED, or CANCELLED / FAILED. The source is re-read from `options` by the worker (resumable).
create table import_run (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  legacy_site_id uuid references legacy_site (id) on delete set null,
  source_system text not null check (source_system in ('wordpress', 'dedecms', 'phpcms', 'static', 'bundle')),
  label text not null check (length(label) <= 300),
  options jsonb not null,
  state text not null check (state in ('PLANNING', 'PLANNED', 'STAGING', 'STAGED', 'APPLYING', 'IN_REVIEW',
                                       'PUBLISHED', 'CANCELLED', 'FAILED')),
  report jsonb,
  -- Progress: records staged and applied so far, and the total once staging is done.
  staged integer not null default 0,
  applied integer not null default 0,
  total integer,
  batches integer not null default 0,
  counts jsonb not null default '{}',
  content_hash text,
  error text,
  started_by uuid,
  started_by_name text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  published_at timestamptz
);
create index import_run_site_idx on import_run (site_id, created_at desc);
alter table import_run enable row level security;
create policy import_run_scope on import_run
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update on import_run to zhanqun_app;

-- The staging table: one row per legacy record of a run, with what it became. (run, kind, source id) is unique,
-- so staging again after a crash inserts nothing twice; `outcome` null means not applied yet.
create table import_record (
  run_id uuid not null references import_run (id) on delete cascade,
  seq integer not null,
  site_id uuid not null references site (id) on delete cascade,
  source_system text not null,
  kind text not null check (kind in ('COLUMN', 'ITEM', 'FILE', 'SKIPPED')),
  source_id text not null,
  content_hash text,
  -- json, not jsonb: written once in bulk and read back whole (text in, text out; no binary conversion).
  payload json,
  item_id uuid,
  column_id uuid,
  media_id uuid,
  outcome text check (outcome in ('CREATED', 'UPDATED', 'UNCHANGED', 'SKIPPED', 'FAILED')),
  warnings jsonb not null default '[]',
  primary key (run_id, kind, source_id)
);
create index import_record_pending_idx on import_record (run_id, kind, seq) where outcome is null;
create index import_record_item_idx on import_record (item_id) where item_id is not null;
alter table import_record enable row level security;
create policy import_record_scope on import_record
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update, delete on import_record to zhanqun_app;

-- The three sign-offs of a run (初审, 审核, 审发; 2015 §12), each over the run's content hash, three people.
create table import_sign_off (
  id uuid primary key,
  run_id uuid not null references import_run (id) on delete cascade,
  site_id uuid not null references site (id) on delete cascade,
  level integer not null check (level between 1 and 3),
  user_id uuid not null,
  user_name text not null,
  role text not null,
  opinion text,
  content_hash text not null,
  signed_at timestamptz not null,
  unique (run_id, level),
  unique (run_id, user_id)
);
alter table import_sign_off enable row level security;
create policy import_sign_off_scope on import_sign_off
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert on import_sign_off to zhanqun_app;

-- Provenance of imported items: never re-dated (original_published_at is the legacy date), where they came from.
alter table item add column original_published_at timestamptz;
alter table item add column source_system text;
alter table item add column source_id text;
alter table item add column source_hash text;
alter table item add column legacy_site_name text;
alter table item add column old_urls text[];
alter table item add column import_run_id uuid references import_run (id) on delete set null;
-- Which legacy site of that system (the run's label): two township DedeCMS sites folded into one county portal
-- (2017 §2) both have an article 5, and neither may overwrite the other's.
alter table item add column source_scope text;
create unique index item_source_key on item (site_id, source_system, source_scope, source_id) where source_id is not null;
-- Imported columns remember their legacy id, so a re-run maps onto the same column.
alter table site_column add column source_system text;
alter table site_column add column source_id text;
alter table site_column add column source_scope text;
create unique index site_column_source_key on site_column (site_id, source_system, source_scope, source_id)
  where source_id is not null;

-- 迁移自: the provenance of items for whoever can see them — anyone for a live item, the site's people otherwise.
create function zq_item_provenance(p_ids uuid[])
returns table (id uuid, source_system text, source_id text, legacy_site_name text, old_urls text[],
               original_published_at timestamptz)
language sql stable security definer set search_path = public as $$
  select i.id, i.source_system, i.source_id, i.legacy_site_name, coalesce(i.old_urls, '{}'), i.original_published_at
    from item i
   where i.id = any (p_ids) and i.source_id is not null
     and ((i.published_revision_id is not null and i.withdrawn_at is null
           and exists (select 1 from site s where s.id = i.site_id and s.status <> 'PREPARING'))
          or i.site_id = any (zq_allowed_sites()))
$$;
revoke all on function zq_item_provenance(uuid[]) from public;
grant execute on function zq_item_provenance(uuid[]) to zhanqun_app;

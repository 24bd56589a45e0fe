-- Zhanqun foundation: sites (tenants), columns, people, sign-in, audit.
-- Runs as the schema owner. The application connects as `zhanqun_app`, a role that is neither superuser nor
-- owner, so every policy below is enforced for it. The owner is not subjected (no FORCE): it only runs
-- migrations and owns the few narrow security-definer functions below, which must see across sites.

-- The allowed site ids and the acting user are set per transaction (set_config(..., true)) by the application.
-- An unset or empty setting yields the empty set: fail closed.
create function zq_allowed_sites() returns uuid[] language sql stable parallel safe as $$
  select coalesce(string_to_array(nullif(current_setting('zq.site_ids', true), ''), ',')::uuid[], '{}'::uuid[])
$$;
create function zq_user_id() returns uuid language sql stable parallel safe as $$
  select nullif(current_setting('zq.user_id', true), '')::uuid
$$;
create function zq_platform_scope() returns boolean language sql stable parallel safe as $$
  select coalesce(current_setting('zq.platform', true), '') = 'on'
$$;

-- 站点 / 子站: the tenant. 2015 §9: one site per county and per department, no township sites.
create table site (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z][a-z0-9-]{1,31}$'),
  name text not null check (length(name) between 2 and 100),
  kind text not null check (kind in ('CITY_PORTAL', 'COUNTY_PORTAL', 'DEPARTMENT')),
  parent_id uuid references site (id),
  site_id_code text not null unique check (site_id_code ~ '^([0-9]{10}|bm[0-9]{8})$'),
  organisation_name text not null,
  organisation_code text,
  locales text[] not null default '{zh-CN}',
  contact_phone text,
  contact_email text,
  contact_address text,
  icp_record text,
  public_security_record text,
  status text not null default 'PREPARING' check (status in ('PREPARING', 'ONLINE', 'CLOSING', 'ARCHIVED')),
  status_changed_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((kind = 'CITY_PORTAL') = (parent_id is null))
);
create unique index site_organisation_name_uq on site (lower(organisation_name));
create unique index site_organisation_code_uq on site (organisation_code) where organisation_code is not null;
create index site_parent_idx on site (parent_id);

-- Host names are unique platform-wide: the primary key enforces it across tenants.
create table site_domain (
  host text primary key check (host ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  site_id uuid not null references site (id) on delete cascade,
  is_primary boolean not null default false
);
create index site_domain_site_idx on site_domain (site_id);
create unique index site_domain_one_primary on site_domain (site_id) where is_primary;

-- 栏目: a tree per site; path is derived from the codes and kept in step on moves.
create table site_column (
  id uuid primary key,
  site_id uuid not null references site (id),
  parent_id uuid references site_column (id),
  code text not null check (code ~ '^[a-z0-9][a-z0-9-]{0,47}$'),
  path text not null,
  name text not null check (length(name) between 1 and 100),
  type text not null check (type in ('LIST', 'SINGLE_PAGE', 'LINK')),
  update_class text not null check (update_class in ('DYNAMIC_2W', 'NOTICE_6M', 'PLAN_1Y', 'STATIC')),
  locked boolean not null default false,
  visible boolean not null default true,
  sort_order integer not null default 0,
  link_url text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (site_id, path)
);
create index site_column_tree_idx on site_column (site_id, parent_id, sort_order);

-- Users are platform-wide; what they may do on a site comes from memberships.
create table app_user (
  id uuid primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  disabled boolean not null default false,
  platform_admin boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index app_user_email_uq on app_user (lower(email));

create table membership (
  id uuid primary key,
  site_id uuid not null references site (id),
  user_id uuid not null references app_user (id),
  roles text[] not null check (cardinality(roles) > 0 and roles <@ array['SITE_ADMIN', 'EDITOR', 'REVIEWER', 'APPROVER', 'INTERACTION_HANDLER', 'VIEWER']),
  column_id uuid references site_column (id),
  outsourced boolean not null default false,
  outsourced_until date,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (site_id, user_id),
  -- 2015 §10: outsourced staff are bound by contract; their access ends on a date.
  check (not outsourced or outsourced_until is not null)
);
create index membership_user_idx on membership (user_id);

create table refresh_token (
  id uuid primary key,
  user_id uuid not null references app_user (id),
  family_id uuid not null,
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null
);
create index refresh_token_family_idx on refresh_token (family_id);

create table api_token (
  id uuid primary key,
  site_id uuid not null references site (id),
  name text not null,
  token_hash text not null unique,
  scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['READ_PUBLISHED', 'MANAGE_CONTENT', 'IMPORT']),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_by uuid references app_user (id),
  created_at timestamptz not null
);
create index api_token_site_idx on api_token (site_id);

create table login_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

-- 存档备查: append-only, hash-chained per site (site_id null = the platform's own chain).
create table audit_record (
  seq bigserial primary key,
  site_id uuid references site (id),
  at timestamptz not null,
  actor_type text not null,
  actor_id text,
  actor_name text,
  action text not null,
  target_type text not null,
  target_id text,
  client_address text,
  request_id text,
  changes jsonb not null default '{}'::jsonb,
  prev_hash text,
  hash text not null
);
create index audit_record_site_idx on audit_record (site_id, seq);

-- Row-level security on every site-owned table.
alter table site enable row level security;
create policy site_scope on site using (id = any (zq_allowed_sites())) with check (id = any (zq_allowed_sites()));

alter table site_domain enable row level security;
create policy site_domain_scope on site_domain using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

alter table site_column enable row level security;
create policy site_column_scope on site_column using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

alter table membership enable row level security;
-- A signed-in user may read their own memberships on any site (to know where they work); writes need the site in scope.
create policy membership_read on membership for select using (site_id = any (zq_allowed_sites()) or user_id = zq_user_id());
create policy membership_insert on membership for insert with check (site_id = any (zq_allowed_sites()));
create policy membership_update on membership for update using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
create policy membership_delete on membership for delete using (site_id = any (zq_allowed_sites()));

alter table api_token enable row level security;
create policy api_token_scope on api_token using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

alter table audit_record enable row level security;
create policy audit_read on audit_record for select
  using (site_id = any (zq_allowed_sites()) or (site_id is null and zq_platform_scope()));
create policy audit_append on audit_record for insert
  with check (site_id = any (zq_allowed_sites()) or (site_id is null and zq_platform_scope()));

-- Narrow, definer-rights doors for the few look-ups that must happen before a site scope exists.
-- Each returns only what its caller needs, never content.

-- The site directory: ids, codes, tree and host names, to resolve a Host header or a site code and to compute
-- which descendants a parent site's admin manages.
create function zq_site_directory() returns table (id uuid, code text, name text, kind text, parent_id uuid, status text, hosts text[])
language sql stable security definer set search_path = public as $$
  select s.id, s.code, s.name, s.kind, s.parent_id, s.status,
         coalesce(array_agg(d.host order by d.is_primary desc, d.host) filter (where d.host is not null), '{}')
  from site s left join site_domain d on d.site_id = s.id
  group by s.id
$$;

-- The acting user with their memberships, in one round trip per request.
create function zq_actor(p_user_id uuid) returns table (
  id uuid, email text, name text, disabled boolean, platform_admin boolean, memberships jsonb)
language sql stable security definer set search_path = public as $$
  select u.id, u.email, u.name, u.disabled, u.platform_admin,
         coalesce((select jsonb_agg(jsonb_build_object(
             'siteId', m.site_id, 'roles', m.roles, 'columnId', m.column_id,
             'outsourced', m.outsourced, 'outsourcedUntil', m.outsourced_until))
           from membership m where m.user_id = u.id), '[]'::jsonb)
  from app_user u where u.id = p_user_id
$$;

-- An API token by its hash (the token itself is never stored); records its use, at most once a minute.
create function zq_api_token(p_hash text, p_now timestamptz) returns table (
  id uuid, site_id uuid, name text, scopes text[], expires_at timestamptz, revoked_at timestamptz)
language sql volatile security definer set search_path = public as $$
  update api_token t set last_used_at = p_now
   where t.token_hash = p_hash and (t.last_used_at is null or t.last_used_at < p_now - interval '1 minute');
  select t.id, t.site_id, t.name, t.scopes, t.expires_at, t.revoked_at from api_token t where t.token_hash = p_hash;
$$;

-- The head of a site's audit chain. The caller holds pg_advisory_xact_lock for the chain, so appends serialise.
create function zq_audit_head(p_site_id uuid) returns table (seq bigint, hash text)
language sql stable security definer set search_path = public as $$
  select a.seq, a.hash from audit_record a
  where a.site_id is not distinct from p_site_id order by a.seq desc limit 1
$$;

-- What the application role may do. Audit rows: insert and read only, never update or delete.
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'zhanqun_app') then
    raise exception 'role zhanqun_app must exist before migrating (see docs/operations.md)';
  end if;
end $$;
grant usage on schema public to zhanqun_app;
-- Sites and users are never hard-deleted (archived / disabled instead), so the app cannot delete them.
grant select, insert, update on site, app_user to zhanqun_app;
grant select, insert, update, delete on site_domain, site_column, membership, refresh_token, api_token, login_throttle to zhanqun_app;
grant select, insert on audit_record to zhanqun_app;
grant usage on sequence audit_record_seq_seq to zhanqun_app;
revoke all on function zq_site_directory(), zq_actor(uuid), zq_api_token(text, timestamptz), zq_audit_head(uuid) from public;
grant execute on function zq_site_directory(), zq_actor(uuid), zq_api_token(text, timestamptz), zq_audit_head(uuid) to zhanqun_app;
grant execute on function zq_allowed_sites(), zq_user_id(), zq_platform_scope() to zhanqun_app;

-- Content and the three-level review (2015 §2, §12; 2017 §1.1–1.2): items, immutable revisions, placements,
-- accountable sign-offs, interpretation links, 索引号 sequences, the working-day calendar.

-- Columns can be closed or merged (2015 §14) and carry their own deadline rule.
alter table site_column
  add column status text not null default 'OPEN' check (status in ('OPEN', 'CLOSED', 'MERGED')),
  add column merged_into_id uuid references site_column (id),
  add column status_changed_at timestamptz,
  add column deadline_rule text check (deadline_rule in ('BY_KIND', 'NONE', 'HOURS_AFTER_OCCURRED', 'WORKDAYS_AFTER_ISSUED')),
  add column deadline_amount integer check (deadline_amount is null or deadline_amount between 1 and 365),
  add check ((status = 'MERGED') = (merged_into_id is not null));

-- 信息 / 稿件. The row holds identity and workflow; content lives in immutable revisions.
create table item (
  id uuid primary key,
  site_id uuid not null references site (id),
  column_id uuid not null references site_column (id),
  kind text not null check (kind ~ '^[A-Z][A-Z_]{1,31}$'),
  state text not null check (state in ('DRAFT', 'FIRST_REVIEW', 'REVIEW', 'SIGN_OFF', 'SCHEDULED', 'PUBLISHED', 'WITHDRAWN')),
  locale text not null default 'zh-CN',
  translation_group_id uuid not null,
  translation_of_id uuid references item (id),
  translation_source_number integer,
  slug text not null,
  title text not null,
  head_revision_id uuid,
  head_number integer not null default 0,
  published_revision_id uuid,
  published_number integer,
  published_at timestamptz,
  last_published_at timestamptz,
  scheduled_at timestamptz,
  review_cycle integer not null default 0,
  occurred_at timestamptz,
  issued_at date,
  deadline_at timestamptz,
  index_number text,
  withdrawn_at timestamptz,
  withdrawn_reason text,
  created_by uuid references app_user (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (site_id, column_id, slug, locale),
  check (state <> 'WITHDRAWN' or (withdrawn_at is not null and withdrawn_reason is not null))
);
create index item_site_state_idx on item (site_id, state);
create index item_deadline_idx on item (site_id, deadline_at) where published_at is null;
create index item_group_idx on item (translation_group_id);
create unique index item_index_number_uq on item (site_id, index_number) where index_number is not null;

-- Every save is a revision; nothing here is ever updated or deleted (存档备查, 可追溯).
create table item_revision (
  id uuid primary key,
  item_id uuid not null references item (id),
  site_id uuid not null references site (id),
  number integer not null,
  content jsonb not null,
  body_text text not null,
  content_hash text not null,
  created_by uuid references app_user (id),
  created_by_name text,
  created_at timestamptz not null,
  note text,
  unique (item_id, number)
);
alter table item add foreign key (head_revision_id) references item_revision (id);
alter table item add foreign key (published_revision_id) references item_revision (id);

-- Where an item appears: its home column and other columns (one stored item, many placements; syndication to
-- other sites' columns will add rows whose site_id is the receiving site).
create table item_placement (
  item_id uuid not null references item (id),
  column_id uuid not null references site_column (id),
  site_id uuid not null references site (id),
  item_site_id uuid not null references site (id),
  home boolean not null default false,
  live boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null,
  primary key (item_id, column_id)
);
-- "The 20 newest published items of a column" is one index range scan.
create index item_placement_column_live_idx on item_placement (column_id, published_at desc, item_id) where live;

-- 三审: one row per decision; a void never deletes, it stamps.
create table sign_off (
  id uuid primary key,
  item_id uuid not null references item (id),
  site_id uuid not null references site (id),
  cycle integer not null,
  level integer not null check (level between 1 and 3),
  decision text not null check (decision in ('APPROVED', 'REJECTED')),
  user_id uuid not null references app_user (id),
  user_name text not null,
  role text not null,
  opinion text,
  revision_id uuid not null references item_revision (id),
  revision_number integer not null,
  revision_hash text not null,
  personal_data_reason text,
  signed_at timestamptz not null,
  voided_at timestamptz,
  void_reason text,
  check (decision = 'APPROVED' or opinion is not null)
);
create index sign_off_item_idx on sign_off (item_id, signed_at);

-- 政策解读 ↔ 规范性文件, readable from both sides.
create table item_link (
  interpretation_id uuid not null references item (id),
  policy_id uuid not null references item (id),
  site_id uuid not null references site (id),
  created_at timestamptz not null,
  primary key (interpretation_id, policy_id)
);
create index item_link_policy_idx on item_link (policy_id);

-- 索引号 {organisation code}/{year}-{5-digit sequence}, unique per organisation (one site per organisation).
create table index_number_sequence (
  site_id uuid not null references site (id),
  year integer not null,
  last integer not null,
  primary key (site_id, year)
);

-- 工作日 calendar: Monday–Friday plus published exceptions; national rows (site_id null) and regional rows.
create table workday_exception (
  id uuid primary key,
  day date not null,
  site_id uuid references site (id),
  off boolean not null,
  name text not null,
  source text not null,
  created_by uuid references app_user (id),
  created_at timestamptz not null
);
create unique index workday_exception_day_uq on workday_exception (day, coalesce(site_id, '00000000-0000-0000-0000-000000000000'::uuid));
-- Which years have published data. A deadline in a year absent here is an error, never a guess.
create table workday_year (
  year integer not null,
  site_id uuid references site (id),
  source text not null,
  created_at timestamptz not null
);
create unique index workday_year_uq on workday_year (year, coalesce(site_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Row-level security on every new site-owned table.
alter table item enable row level security;
create policy item_scope on item using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table item_revision enable row level security;
create policy item_revision_scope on item_revision using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table item_placement enable row level security;
create policy item_placement_scope on item_placement using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table sign_off enable row level security;
create policy sign_off_scope on sign_off using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table item_link enable row level security;
create policy item_link_scope on item_link using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table index_number_sequence enable row level security;
create policy index_number_sequence_scope on index_number_sequence using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
-- National calendar rows are public; only platform scope writes them. Regional rows belong to their site.
alter table workday_exception enable row level security;
create policy workday_exception_read on workday_exception for select using (site_id is null or site_id = any (zq_allowed_sites()));
create policy workday_exception_write on workday_exception for all
  using ((site_id is null and zq_platform_scope()) or site_id = any (zq_allowed_sites()))
  with check ((site_id is null and zq_platform_scope()) or site_id = any (zq_allowed_sites()));
alter table workday_year enable row level security;
create policy workday_year_read on workday_year for select using (site_id is null or site_id = any (zq_allowed_sites()));
create policy workday_year_write on workday_year for all
  using ((site_id is null and zq_platform_scope()) or site_id = any (zq_allowed_sites()))
  with check ((site_id is null and zq_platform_scope()) or site_id = any (zq_allowed_sites()));

-- The actor function now also returns the path of a membership's column limit.
create or replace function zq_actor(p_user_id uuid) returns table (
  id uuid, email text, name text, disabled boolean, platform_admin boolean, memberships jsonb)
language sql stable security definer set search_path = public as $$
  select u.id, u.email, u.name, u.disabled, u.platform_admin,
         coalesce((select jsonb_agg(jsonb_build_object(
             'siteId', m.site_id, 'roles', m.roles, 'columnId', m.column_id,
             'columnPath', (select c.path from site_column c where c.id = m.column_id),
             'outsourced', m.outsourced, 'outsourcedUntil', m.outsourced_until))
           from membership m where m.user_id = u.id), '[]'::jsonb)
  from app_user u where u.id = p_user_id
$$;

grant select, insert, update on item, item_placement, index_number_sequence to zhanqun_app;
grant delete on item_placement, item_link to zhanqun_app;
grant select, insert on item_revision, item_link to zhanqun_app;
grant select, insert on sign_off to zhanqun_app;
grant update (voided_at, void_reason) on sign_off to zhanqun_app;
grant select, insert, update, delete on workday_exception, workday_year to zhanqun_app;

-- The public read path: the live items of a public site's visible column, newest first, in one round trip.
-- A deliberate, narrow door: only published, not withdrawn content of sites that are online; never drafts.
create function zq_public_items(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
                                p_after_at timestamptz, p_after_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language sql stable security definer set search_path = public as $$
  select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.translation_group_id, i.translation_of_id,
         i.translation_source_number, r.id, r.number, r.content - 'body', p.published_at, i.last_published_at,
         i.index_number, i.deadline_at, i.created_at, i.updated_at
    from site s
    join site_column c on c.site_id = s.id and c.visible
    join item_placement p on p.column_id = c.id and p.live
    join item i on i.id = p.item_id
    join item_revision r on r.id = i.published_revision_id
   where s.id = p_site_id and s.status <> 'PREPARING'
     and (p_column_path is null or c.path = p_column_path)
     and (p_kind is null or i.kind = p_kind)
     and (p_after_at is null or (p.published_at, p.item_id) < (p_after_at, p_after_id))
   order by p.published_at desc, p.item_id desc
   limit least(p_limit, 101)
$$;
revoke all on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) from public;
grant execute on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) to zhanqun_app;

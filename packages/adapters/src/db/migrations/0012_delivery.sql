-- Issue 12: delivery for themes. The per-site redirect map, old host names, and the page metadata that columns
-- and sites carry (national page metadata, 党政机关网站标识).

-- The redirect map: an old path of a site and where it now leads. URLs are cited in official documents, so a
-- move, a rename, a merge or a changed slug must keep the old address working as a 301 (2015 §5: search-engine
-- friendly, clean URLs; 2015 §14: merged columns). Targets are by id, so a chain of moves always lands on the
-- current address without rewriting rows. A column target also covers everything below the old path.
create table site_redirect (
  id uuid primary key,
  site_id uuid not null references site (id) on delete cascade,
  from_path text not null check (from_path ~ '^/' and length(from_path) <= 1000),
  target_item_id uuid references item (id) on delete cascade,
  target_column_id uuid references site_column (id) on delete cascade,
  target_url text check (length(target_url) <= 1000),
  -- Removed content: 410 rather than 404 (the address existed and is gone on purpose).
  gone boolean not null default false,
  reason text not null check (reason in ('COLUMN_MOVED', 'COLUMN_RENAMED', 'COLUMN_MERGED', 'SLUG_CHANGED', 'LEGACY_IMPORT', 'MANUAL')),
  created_at timestamptz not null,
  unique (site_id, from_path),
  check (num_nonnulls(target_item_id, target_column_id, target_url) + gone::int = 1)
);
create index site_redirect_item_idx on site_redirect (target_item_id) where target_item_id is not null;
create index site_redirect_column_idx on site_redirect (target_column_id) where target_column_id is not null;

alter table site_redirect enable row level security;
create policy site_redirect_scope on site_redirect using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update, delete on site_redirect to zhanqun_app;

-- Old host names of a site answer 301 to its primary domain (consolidation, 2015 §9 / 2017 §2).
alter table site_domain add column legacy boolean not null default false;
alter table site_domain add constraint site_domain_primary_not_legacy check (not (is_primary and legacy));

-- National page metadata (ColumnDescription, ColumnKeywords) and column names per declared locale (2015 §8).
alter table site_column add column description text check (length(description) <= 500);
alter table site_column add column keywords text check (length(keywords) <= 200);
alter table site_column add column names jsonb not null default '{}'::jsonb;

-- 党政机关网站标识: the registration id of the mark (bszs.conac.cn) shown in the footer.
alter table site add column conac_mark_id text check (length(conac_mark_id) <= 64);
-- Browser origins (besides the site's own hosts) allowed to call the API cross-origin for this site.
alter table site add column cors_origins text[] not null default '{}';

-- Automatic persisted queries: the query text by its SHA-256, shared by every API instance (no per-instance
-- state). Platform-wide and content-free (query texts only), so no site scope.
create table persisted_query (
  hash text primary key check (hash ~ '^[0-9a-f]{64}$'),
  query text not null check (length(query) <= 100000),
  created_at timestamptz not null default now()
);
grant select, insert on persisted_query to zhanqun_app;

-- The directory now also says which hosts are old names (they stay in `hosts`, so they still resolve).
drop function zq_site_directory();
create function zq_site_directory() returns table (id uuid, code text, name text, kind text, parent_id uuid, status text, hosts text[], legacy_hosts text[], cors_origins text[])
language sql stable security definer set search_path = public as $$
  select s.id, s.code, s.name, s.kind, s.parent_id, s.status,
         coalesce(array_agg(d.host order by d.is_primary desc, d.legacy, d.host) filter (where d.host is not null), '{}'),
         coalesce(array_agg(d.host order by d.host) filter (where d.legacy), '{}'),
         s.cors_origins
  from site s left join site_domain d on d.site_id = s.id
  group by s.id
$$;
revoke all on function zq_site_directory() from public;
grant execute on function zq_site_directory() to zhanqun_app;

-- Column listings that include descendant columns: the same narrow door as zq_public_items (live content of
-- online sites, visible open columns, no bodies), over a column and every visible column below it, each item once.
create function zq_public_items_under(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
                                      p_after_at timestamptz, p_after_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language sql stable security definer set search_path = public as $$
  select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.translation_group_id, i.translation_of_id,
         i.translation_source_number, r.id, r.number, r.content - 'body', i.published_at, i.last_published_at,
         i.index_number, i.deadline_at, i.created_at, i.updated_at
    from item i
    join item_revision r on r.id = i.published_revision_id
   where exists (select 1 from site s where s.id = p_site_id and s.status <> 'PREPARING')
     and i.site_id = p_site_id
     and exists (select 1 from item_placement p join site_column c on c.id = p.column_id
                  where p.item_id = i.id and p.live and c.visible and c.status = 'OPEN'
                    and (c.path = p_column_path or c.path like p_column_path || '/%'))
     and (i.published_at, i.id) < (coalesce(p_after_at, 'infinity'::timestamptz),
                                   coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
     and (p_kind is null or i.kind = p_kind)
   order by i.published_at desc, i.id desc
   limit least(p_limit, 101)
$$;
revoke all on function zq_public_items_under(uuid, text, text, integer, timestamptz, uuid) from public;
grant execute on function zq_public_items_under(uuid, text, text, integer, timestamptz, uuid) to zhanqun_app;

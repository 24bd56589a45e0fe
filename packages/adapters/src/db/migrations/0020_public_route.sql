-- Issue 10: route(host, path) of a public page in one statement, and the search's column-facet labels in one.
--
-- Before this, route() opened a transaction for row-level security (BEGIN, set_config, COMMIT) around two reads
-- (the site with its columns; the item at the path): 5 statements for an item page. Like zq_public_items and
-- zq_public_item, these definer-rights functions are narrow doors that return only what the public may see, so
-- the app calls them on its prepared-statement pool without a transaction: one round trip.

-- A site's "tree version": bumped by every change of the site row or of any of its columns (a statement-level
-- trigger, in the same transaction as the change). An API instance may keep a site's columns in memory only
-- as long as zq_public_route, in the very statement that reads the item, says its version is still the current
-- one: correct across any number of instances (architecture: no per-process state another instance would need).
alter table site add column tree_version bigint not null default 0;

create function zq_site_touch() returns trigger language plpgsql as $$
begin
  new.tree_version := old.tree_version + 1;
  return new;
end
$$;
create trigger site_tree_version before update on site for each row execute function zq_site_touch();

-- Definer rights: whoever may change a column must bump its site's version, whatever row-level security
-- lets that role update on `site` itself.
create function zq_site_column_touch() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'DELETE' then
    update site set tree_version = tree_version + 1 where id in (select distinct site_id from old_rows);
  elsif tg_op = 'UPDATE' then
    update site set tree_version = tree_version + 1
     where id in (select site_id from old_rows union select site_id from new_rows);
  else
    update site set tree_version = tree_version + 1 where id in (select distinct site_id from new_rows);
  end if;
  return null;
end
$$;
revoke all on function zq_site_column_touch() from public;
create trigger site_column_tree_version_ins after insert on site_column
  referencing new table as new_rows for each statement execute function zq_site_column_touch();
create trigger site_column_tree_version_upd after update on site_column
  referencing old table as old_rows new table as new_rows for each statement execute function zq_site_column_touch();
create trigger site_column_tree_version_del after delete on site_column
  referencing old table as old_rows for each statement execute function zq_site_column_touch();

-- The site (not while PREPARING) with its tree version, all its columns (hidden, closed and merged ones too: the
-- route answers 301/410 for them from the tree) — both left out (null) when the caller already holds that
-- version — and, when a column path and slug are given, the item(s) at that address, one per locale: the
-- published revision's whole content for a live item, only the withdrawal date for a withdrawn one, and nothing
-- at all for an item never published (drafts are never revealed). Same rows as route-data.ts's
-- loadSiteAndColumns + loadItemAt (keep in step).
create function zq_public_route(p_site_id uuid, p_column_path text, p_slug text, p_known_version bigint)
returns table (version bigint, site jsonb, columns jsonb, items jsonb)
language sql stable security definer set search_path = public as $$
  select s.tree_version,
         case when p_known_version is distinct from s.tree_version then to_jsonb(s) end,
         case when p_known_version is distinct from s.tree_version then
           coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'parent_id', c.parent_id, 'code', c.code,
                       'path', c.path, 'name', c.name, 'names', c.names, 'type', c.type, 'visible', c.visible,
                       'status', c.status, 'merged_into_id', c.merged_into_id, 'link_url', c.link_url,
                       'description', c.description, 'keywords', c.keywords, 'sort_order', c.sort_order)
                       order by c.sort_order, c.code)
                       from site_column c where c.site_id = s.id), '[]'::jsonb)
         end,
         case when p_slug is not null and p_column_path is not null then (
           select jsonb_agg(jsonb_build_object('id', i.id, 'site_id', i.site_id, 'column_id', i.column_id,
                    'kind', i.kind, 'state', i.state,
                    'locale', i.locale, 'slug', i.slug, 'translation_group_id', i.translation_group_id,
                    'translation_of_id', i.translation_of_id, 'translation_source_number', i.translation_source_number,
                    'published_revision_id', i.published_revision_id, 'published_number', i.published_number,
                    'published_at', i.published_at, 'last_published_at', i.last_published_at,
                    'index_number', i.index_number, 'deadline_at', i.deadline_at, 'withdrawn_at', i.withdrawn_at,
                    'created_at', i.created_at, 'updated_at', i.updated_at,
                    'content', case when i.withdrawn_at is null then r.content end))
             from site_column c
             join item i on i.site_id = c.site_id and i.column_id = c.id and i.slug = p_slug
             left join item_revision r on r.id = i.published_revision_id
            where c.site_id = s.id and c.path = p_column_path
              -- A taken-down (ARCHIVED) site serves no content through any door (migration 0017, issue 7).
              and s.status in ('ONLINE', 'CLOSING')
              and (i.published_revision_id is not null or i.withdrawn_at is not null))
         end
    from site s
   where s.id = p_site_id and s.status <> 'PREPARING'
$$;
revoke all on function zq_public_route(uuid, text, text, bigint) from public;
grant execute on function zq_public_route(uuid, text, text, bigint) to zhanqun_app;

-- Names of the visible columns among the given ids, of sites the public may see: the labels of search's column
-- facet (every id there comes from the public index, i.e. from published items).
create function zq_public_column_names(p_ids uuid[])
returns table (id uuid, name text)
language sql stable security definer set search_path = public as $$
  select c.id, c.name
    from site_column c join site s on s.id = c.site_id
   where c.id = any (p_ids) and c.visible and s.status <> 'PREPARING'
$$;
revoke all on function zq_public_column_names(uuid[]) from public;
grant execute on function zq_public_column_names(uuid[]) to zhanqun_app;

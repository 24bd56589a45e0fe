-- Issue 10: a site's "content version" — bumped in the same transaction as any change a public answer of the
-- site could show (an item published, updated, withdrawn or moved; a placement or list row; a link between
-- items; a redirect; a host name; a column or the site itself). An API instance may keep the serialised answer
-- of an anonymous public read for as long as the version it was computed at is still the site's current one,
-- which it checks with one small statement per request (zq_public_versions): a change made through any instance
-- is never hidden by another's cache (architecture: no per-process state a second instance would need).
-- See ADR 0028.
alter table site add column content_version bigint not null default 0;

-- The site row itself: any change bumps both versions (the column tree is part of the content); a change of
-- content_version alone (what the triggers below do) leaves the tree version, and the trees kept by
-- zq_public_route's callers, alone.
create or replace function zq_site_touch() returns trigger language plpgsql as $$
begin
  if new.content_version is distinct from old.content_version
     and (to_jsonb(new) - 'content_version' - 'tree_version') = (to_jsonb(old) - 'content_version' - 'tree_version') then
    new.tree_version := old.tree_version;
    return new;
  end if;
  new.tree_version := old.tree_version + 1;
  new.content_version := old.content_version + 1;
  return new;
end
$$;

-- Definer rights, like zq_site_column_touch: an editor who may publish an item must bump its site's version
-- whatever row-level security lets that role update on `site`. Statement-level with transition tables: one
-- UPDATE of `site` per statement, however many rows it touched (an import batch publishes hundreds).
-- TG_ARGV holds the names of the row's site columns (a syndicated placement or list row concerns the site that
-- shows it and the site that owns the item).
create function zq_public_content_touch() returns trigger language plpgsql security definer set search_path = public as $$
declare
  ids uuid[] := '{}';
  part uuid[];
  col text;
begin
  foreach col in array tg_argv loop
    if tg_op in ('UPDATE', 'DELETE') then
      execute format('select array_agg(distinct %I) from old_rows', col) into part;
      ids := ids || coalesce(part, '{}');
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
      execute format('select array_agg(distinct %I) from new_rows', col) into part;
      ids := ids || coalesce(part, '{}');
    end if;
  end loop;
  -- Each site once, however often it appears.
  update site set content_version = content_version + 1 where id = any (ids);
  return null;
end
$$;
revoke all on function zq_public_content_touch() from public;

-- One trigger per table and operation (transition tables need one event per trigger).
do $$
declare
  t record;
  op text;
begin
  for t in select * from (values ('item', array['site_id']),
                                 ('item_placement', array['site_id', 'item_site_id']),
                                 ('item_listing', array['site_id', 'item_site_id']),
                                 ('item_link', array['site_id']),
                                 ('site_redirect', array['site_id']),
                                 ('site_domain', array['site_id'])) as v(tbl, cols)
  loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format(
        'create trigger %I after %s on %I referencing %s for each statement execute function zq_public_content_touch(%s)',
        t.tbl || '_content_version_' || left(op, 3), op, t.tbl,
        case op when 'insert' then 'new table as new_rows'
                when 'update' then 'old table as old_rows new table as new_rows'
                else 'old table as old_rows' end,
        (select string_agg(quote_literal(c), ', ') from unnest(t.cols) c));
    end loop;
  end loop;
end
$$;

-- The current content versions of the given sites, in the order given (null for a site that is gone): what an
-- API instance checks before it serves a kept answer. Nothing else of the site is revealed.
create function zq_public_versions(p_site_ids uuid[])
returns bigint[]
language sql stable security definer set search_path = public as $$
  select array_agg(s.content_version order by o.n)
    from unnest(p_site_ids) with ordinality as o(id, n)
    left join site s on s.id = o.id
$$;
revoke all on function zq_public_versions(uuid[]) from public;
grant execute on function zq_public_versions(uuid[]) to zhanqun_app;

-- A site's content version (migration 0025, ADR 0028) counts changes a public answer could show. An item that was
-- never published and a placement that is not live are not shown by any public read (they reach one only through
-- a change that publishes them: `published_revision_id` set, `live` true — which is counted). Yet every draft an
-- editor created or saved, and every batch of drafts an import wrote, bumped its site's version: the site's kept
-- public answers were all thrown away for a change no reader could see, and an import's two batches in flight
-- queued on the site's row (locked by the bump until commit) — 3.1 ms a batch against 0.19 (issue 11, ADR 0015
-- ninth round).
--
-- The triggers of `item` and `item_placement` now count only the rows a public read could show, before or after the
-- change: an item with a published revision (whatever its workflow state: a published item being revised is still
-- shown), a live placement. A row that is neither in both its old and its new version bumps nothing.

-- tg_argv[0]: the condition that makes a row visible to a public read; the rest: the row's site columns.
create function zq_public_content_touch_visible() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  ids uuid[] := '{}';
  part uuid[];
  i int;
begin
  for i in 1 .. tg_nargs - 1 loop
    if tg_op in ('UPDATE', 'DELETE') then
      execute format('select array_agg(distinct %I) from old_rows where %s', tg_argv[i], tg_argv[0]) into part;
      ids := ids || coalesce(part, '{}');
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
      execute format('select array_agg(distinct %I) from new_rows where %s', tg_argv[i], tg_argv[0]) into part;
      ids := ids || coalesce(part, '{}');
    end if;
  end loop;
  if cardinality(ids) > 0 then
    update site set content_version = content_version + 1 where id = any (ids);
  end if;
  return null;
end
$$;
revoke all on function zq_public_content_touch_visible() from public;

do $$
declare
  t record;
  op text;
begin
  for t in select * from (values ('item', 'published_revision_id is not null', array['site_id']),
                                 ('item_placement', 'live', array['site_id', 'item_site_id'])) as v(tbl, visible, cols)
  loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format('drop trigger %I on %I', t.tbl || '_content_version_' || left(op, 3), t.tbl);
      execute format(
        'create trigger %I after %s on %I referencing %s for each statement execute function zq_public_content_touch_visible(%s)',
        t.tbl || '_content_version_' || left(op, 3), op, t.tbl,
        case op when 'insert' then 'new table as new_rows'
                when 'update' then 'old table as old_rows new table as new_rows'
                else 'old table as old_rows' end,
        (select string_agg(quote_literal(c), ', ') from unnest(array[t.visible] || t.cols) c));
    end loop;
  end loop;
end
$$;

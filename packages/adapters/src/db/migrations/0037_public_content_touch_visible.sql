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
--
-- The one function all the content-version triggers call now also takes, as an argument `visible:<condition>`, what
-- makes a row of its table visible to a public read; its other arguments are still the row's site columns. The
-- triggers without that argument count every row, as before.
create or replace function zq_public_content_touch() returns trigger
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  ids uuid[] := '{}';
  part uuid[];
  arg text;
  visible text := 'true';
begin
  foreach arg in array tg_argv loop
    if arg like 'visible:%' then visible := substr(arg, 9); end if;
  end loop;
  foreach arg in array tg_argv loop
    continue when arg like 'visible:%';
    if tg_op in ('UPDATE', 'DELETE') then
      execute format('select array_agg(distinct %I) from old_rows where %s', arg, visible) into part;
      ids := ids || coalesce(part, '{}');
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
      execute format('select array_agg(distinct %I) from new_rows where %s', arg, visible) into part;
      ids := ids || coalesce(part, '{}');
    end if;
  end loop;
  -- Each site once, however often it appears; none when no row was visible.
  if cardinality(ids) > 0 then
    update site set content_version = content_version + 1 where id = any (ids);
  end if;
  return null;
end
$$;

do $$
declare
  t record;
  op text;
begin
  for t in select * from (values ('item', 'visible:published_revision_id is not null', array['site_id']),
                                 ('item_placement', 'visible:live', array['site_id', 'item_site_id'])) as v(tbl, visible, cols)
  loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format('drop trigger %I on %I', t.tbl || '_content_version_' || left(op, 3), t.tbl);
      execute format(
        'create trigger %I after %s on %I referencing %s for each statement execute function zq_public_content_touch(%s)',
        t.tbl || '_content_version_' || left(op, 3), op, t.tbl,
        case op when 'insert' then 'new table as new_rows'
                when 'update' then 'old table as old_rows new table as new_rows'
                else 'old table as old_rows' end,
        (select string_agg(quote_literal(c), ', ') from unnest(array[t.visible] || t.cols) c));
    end loop;
  end loop;
end
$$;

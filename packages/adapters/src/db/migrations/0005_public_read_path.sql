-- The public read path, tuned (measured by bench/): the newest live items of a column come from one ordered
-- index range scan that stops after the page, instead of sorting every live placement of the column.

drop index if exists item_placement_column_live_idx;
-- Same direction as the ORDER BY (published_at desc, item_id desc), so the scan yields rows in order.
create index item_placement_column_live_idx on item_placement (column_id, published_at desc, item_id desc) where live;
-- Site-wide listing (no column given): one row per item, its home placement.
create index item_placement_site_live_idx on item_placement (site_id, published_at desc, item_id desc) where live and home;

drop function if exists zq_public_items(uuid, text, text, integer, timestamptz, uuid);

-- PL/pgSQL so each branch keeps a cached plan; the column is resolved to its id first so the ordered scan can
-- start from the index. Still a narrow door: live content of online sites only, from visible columns.
create function zq_public_items(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
                                p_after_at timestamptz, p_after_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language plpgsql stable security definer set search_path = public as $$
declare
  v_column uuid;
  v_after_at timestamptz := coalesce(p_after_at, 'infinity'::timestamptz);
  v_after_id uuid := coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid);
begin
  if not exists (select 1 from site s where s.id = p_site_id and s.status <> 'PREPARING') then
    return;
  end if;
  if p_column_path is not null then
    select c.id into v_column from site_column c where c.site_id = p_site_id and c.path = p_column_path and c.visible;
    if v_column is null then
      return;
    end if;
    return query
      select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.translation_group_id, i.translation_of_id,
             i.translation_source_number, r.id, r.number, r.content - 'body', p.published_at, i.last_published_at,
             i.index_number, i.deadline_at, i.created_at, i.updated_at
        from item_placement p
        join item i on i.id = p.item_id
        join item_revision r on r.id = i.published_revision_id
       where p.column_id = v_column and p.live
         and (p.published_at, p.item_id) < (v_after_at, v_after_id)
         and (p_kind is null or i.kind = p_kind)
       order by p.published_at desc, p.item_id desc
       limit least(p_limit, 101);
  else
    return query
      select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.translation_group_id, i.translation_of_id,
             i.translation_source_number, r.id, r.number, r.content - 'body', p.published_at, i.last_published_at,
             i.index_number, i.deadline_at, i.created_at, i.updated_at
        from item_placement p
        join item i on i.id = p.item_id
        join item_revision r on r.id = i.published_revision_id
        join site_column c on c.id = p.column_id and c.visible
       where p.site_id = p_site_id and p.live and p.home
         and (p.published_at, p.item_id) < (v_after_at, v_after_id)
         and (p_kind is null or i.kind = p_kind)
       order by p.published_at desc, p.item_id desc
       limit least(p_limit, 101);
  end if;
end
$$;
revoke all on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) from public;
grant execute on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) to zhanqun_app;

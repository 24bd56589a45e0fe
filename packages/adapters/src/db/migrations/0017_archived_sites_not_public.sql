-- 2017 §2 (无保障能力的立即关停) and the closing path (CLOSING → ARCHIVED): an ARCHIVED site — closed after its
-- 30-day notice or taken down at once — serves no content to the public. Until now the public doors below let
-- any site that had left PREPARING through, so a taken-down site's items, item pages and files stayed readable
-- while `route` already answered 410. A CLOSING site still shows its content (with its notice) for the 30 days.
-- Core decides the same from the cached site directory before calling these (no extra round trip); the check
-- here keeps the door shut for another API instance whose directory has not yet reloaded (TTL).
-- Same signatures and rows as before; only the site-status test changes (status in ('ONLINE', 'CLOSING')).

create or replace function zq_public_items(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
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
  if p_column_path is not null then
    select c.id into v_column
      from site_column c join site s on s.id = c.site_id
     where c.site_id = p_site_id and c.path = p_column_path and c.visible and s.status in ('ONLINE', 'CLOSING');
    if v_column is null then
      return;
    end if;
    return query
      select l.item_id, l.item_site_id, l.column_id, l.kind, l.locale, l.slug, l.translation_group_id,
             l.translation_of_id, l.translation_source_number, l.revision_id, l.revision_number, l.content,
             l.published_at, l.last_published_at, l.index_number, l.deadline_at, l.created_at, l.updated_at
        from item_listing l
       where l.column_id = v_column
         and (l.published_at, l.item_id) < (v_after_at, v_after_id)
         and (p_kind is null or l.kind = p_kind)
       order by l.published_at desc, l.item_id desc
       limit least(p_limit, 101);
  else
    if not exists (select 1 from site s where s.id = p_site_id and s.status in ('ONLINE', 'CLOSING')) then
      return;
    end if;
    return query
      select l.item_id, l.item_site_id, l.column_id, l.kind, l.locale, l.slug, l.translation_group_id,
             l.translation_of_id, l.translation_source_number, l.revision_id, l.revision_number, l.content,
             l.published_at, l.last_published_at, l.index_number, l.deadline_at, l.created_at, l.updated_at
        from item_listing l
       where l.site_id = p_site_id and l.home
         and (l.published_at, l.item_id) < (v_after_at, v_after_id)
         and (p_kind is null or l.kind = p_kind)
       order by l.published_at desc, l.item_id desc
       limit least(p_limit, 101);
  end if;
end
$$;
revoke all on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) from public;
grant execute on function zq_public_items(uuid, text, text, integer, timestamptz, uuid) to zhanqun_app;

create or replace function zq_public_item(p_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language sql stable security definer set search_path = public as $$
  select l.item_id, l.item_site_id, i.column_id, l.kind, l.locale, l.slug, l.translation_group_id,
         l.translation_of_id, l.translation_source_number, l.revision_id, l.revision_number, r.content,
         i.published_at, l.last_published_at, l.index_number, l.deadline_at, l.created_at, l.updated_at
    from item_listing l
    join item i on i.id = l.item_id
    join item_revision r on r.id = l.revision_id
    join site s on s.id = l.item_site_id and s.status in ('ONLINE', 'CLOSING')
   where l.item_id = p_id
   order by l.home desc
   limit 1
$$;
revoke all on function zq_public_item(uuid) from public;
grant execute on function zq_public_item(uuid) to zhanqun_app;

create or replace function zq_public_items_under(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
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
   where exists (select 1 from site s where s.id = p_site_id and s.status in ('ONLINE', 'CLOSING'))
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

create or replace function zq_public_media(p_id uuid)
returns table (id uuid, site_id uuid, sha256 text, size bigint, media_type text, kind text, extension text,
               original_name text, animated boolean)
language sql stable security definer set search_path = public as $$
  select m.id, m.site_id, m.sha256, m.size, m.media_type, m.kind, m.extension, m.original_name, m.animated
    from media m
   where m.id = p_id and m.deleted_at is null
     and exists (select 1 from site s where s.id = m.site_id and s.status in ('ONLINE', 'CLOSING'))
     and exists (select 1
                   from media_reference r
                   join item i on i.published_revision_id = r.revision_id
                  where r.media_id = m.id and i.state = 'PUBLISHED')
$$;
revoke execute on function zq_public_media(uuid) from public;
grant execute on function zq_public_media(uuid) to zhanqun_app;

-- Syndicated items follow their owning site's status (2015 §7 转载/链接; 2017 §2 关停; migration 0017).
--
-- A column may list items of another site (item_listing.item_site_id <> site_id: a reprint or link placed in the
-- receiving site's column). zq_public_items checked only the *receiving* site's status, so once the site that owns
-- such an item was taken down (ARCHIVED) its item stayed on the public port through the other site's column list,
-- its page count (hasNextPage) and its column page in `route` — while the owner's own doors (zq_public_item,
-- zq_public_links, zq_public_media) already refused it. Rule kept everywhere now: an item is public only while the
-- site that OWNS it is public (ONLINE or CLOSING), wherever it is placed. The other doors need no change:
-- zq_public_item and zq_public_links already test the owner (l.item_site_id); zq_public_items_under and
-- zq_public_route only ever read items of the asked site itself (i.site_id = p_site_id / c.site_id); search
-- documents carry the owner's site id and the cluster search excludes non-public owners (search.service.ts).
--
-- Kept answers (ADR 0028): the answers of the *receiving* site were computed at that site's content version, which
-- a change of the owner's status did not bump (zq_site_touch bumps only the changed site). A trigger below bumps
-- the content version of every site that lists the owner's items, in the same transaction as the status change.

-- Same signature and rows as 0017; only the column branch gains the owner test. Performance shape kept: one
-- statement on the same index scan in list order; an own item (the common case) is decided by the first operand
-- of the OR without touching `site`; only a syndicated row costs one primary-key probe of `site` (a correlated
-- EXISTS in the same plan, no function call, no extra round trip). The home branch needs no test: a home row is
-- always of the asked site itself (home placement = the item's own column).
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
         -- A syndicated item only while its owning site's content is public (this migration's header).
         and (l.item_site_id = p_site_id
              or exists (select 1 from site o where o.id = l.item_site_id and o.status in ('ONLINE', 'CLOSING')))
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

-- The syndicated rows only (a small share of item_listing): which sites list a given owner's items, for the
-- trigger below, without scanning the whole projection on a status change.
create index item_listing_syndicated_idx on item_listing (item_site_id, site_id) where site_id <> item_site_id;

-- Definer rights, like zq_site_column_touch (0020): whoever may change a site's status must bump the versions of
-- the other sites showing its items, whatever row-level security lets that role update on `site`. The UPDATE
-- below changes content_version only: zq_site_touch then leaves those sites' tree versions (and the column trees
-- kept by zq_public_route's callers) alone, and this trigger (on `status` only) does not fire again.
create function zq_site_status_syndication_touch() returns trigger language plpgsql security definer
set search_path = public as $$
begin
  update site set content_version = content_version + 1
   where id in (select distinct l.site_id from item_listing l
                 where l.item_site_id = new.id and l.site_id <> new.id);
  return null;
end
$$;
revoke all on function zq_site_status_syndication_touch() from public;
create trigger site_status_syndication_version after update of status on site for each row
  when (old.status is distinct from new.status) execute function zq_site_status_syndication_touch();

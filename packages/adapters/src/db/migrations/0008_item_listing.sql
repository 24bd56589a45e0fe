-- Issue 10: the public lists read a projection written when an item is published, never the revisions.
-- Before this, zq_public_items read each published revision's whole content (a ~3 KB body, TOASTed) and rewrote
-- it (`content - 'body'`) on every request: most of the time of a list, for a field a list never shows.

-- One row per live placement in a visible column: exactly what a public list shows, stored ready to serve.
-- Written by core (packages/core/src/items/item-listing.ts) in the transaction of the change that alters it:
-- publication, withdrawal, re-publication, an edit of a live item's slug or columns, a column hidden, shown,
-- moved, merged or closed. A draft edit of a live item does not touch it (the public version is unchanged).
create table item_listing (
  item_id uuid not null references item (id),
  column_id uuid not null references site_column (id),
  -- The site whose column lists the item (a syndicated placement's receiving site); item_site_id owns it.
  site_id uuid not null references site (id),
  item_site_id uuid not null references site (id),
  home boolean not null,
  published_at timestamptz not null,
  kind text not null,
  locale text not null,
  slug text not null,
  translation_group_id uuid not null,
  translation_of_id uuid,
  translation_source_number integer,
  revision_id uuid not null,
  revision_number integer not null,
  -- The published revision's content without its body (title, summary, source, 文号, images, …): small enough
  -- to stay in the heap row, so a list never detoasts anything.
  content jsonb not null,
  last_published_at timestamptz not null,
  index_number text,
  deadline_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (item_id, column_id)
);
-- Both in the scan order of the lists (published_at desc, item_id desc): the scan stops after the page.
create index item_listing_column_idx on item_listing (column_id, published_at desc, item_id desc);
create index item_listing_site_home_idx on item_listing (site_id, published_at desc, item_id desc) where home;

alter table item_listing enable row level security;
create policy item_listing_scope on item_listing using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
-- Core rewrites an item's rows (delete + insert); nothing updates them in place.
grant select, insert, delete on item_listing to zhanqun_app;

-- Existing content: the same projection core writes (keep in step with item-listing.ts).
insert into item_listing (item_id, column_id, site_id, item_site_id, home, published_at, kind, locale, slug,
                          translation_group_id, translation_of_id, translation_source_number, revision_id,
                          revision_number, content, last_published_at, index_number, deadline_at, created_at,
                          updated_at)
select p.item_id, p.column_id, p.site_id, p.item_site_id, p.home, p.published_at, i.kind, i.locale, i.slug,
       i.translation_group_id, i.translation_of_id, i.translation_source_number, r.id, r.number,
       r.content - 'body', coalesce(i.last_published_at, p.published_at), i.index_number, i.deadline_at,
       i.created_at, i.updated_at
  from item_placement p
  join item i on i.id = p.item_id
  join item_revision r on r.id = i.published_revision_id
  join site_column c on c.id = p.column_id and c.visible and c.status = 'OPEN'
 where p.live and p.published_at is not null and i.withdrawn_at is null;


-- Same signature and rows as before (0005); now it reads only item_listing, through an index in scan order.
-- Still a narrow door: nothing for a PREPARING site, nothing from a hidden or unknown column, and the
-- projection holds only live items in visible columns.
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
     where c.site_id = p_site_id and c.path = p_column_path and c.visible and s.status <> 'PREPARING';
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
    if not exists (select 1 from site s where s.id = p_site_id and s.status <> 'PREPARING') then
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

-- Issue 10, search freshness: a committed change record wakes the worker's delivery at once (LISTEN
-- zq_search_change) instead of waiting for its next poll. NOTIFY is transactional: it is sent at commit, and
-- never for a rolled-back change. One notification per statement; the payload is empty (the outbox is the truth).
create function zq_notify_search_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('zq_search_change', '');
  return null;
end
$$;
create trigger search_change_notify after insert on search_change
  for each statement execute function zq_notify_search_change();

-- The reference theme's page (`route` with the listed items' columns, a policy document's interpretations and a
-- column page with its sub-columns' items) read entirely through definer-rights functions, so that answer can be
-- kept (ADR 0028) — before this, three of its fields read through the ORM and spoiled the trace. ADR 0029.
-- Like zq_public_items/zq_public_item, each is a narrow door returning only what the public may see; the app
-- calls them on its prepared-statement pool with the sites' content versions in the same statement.

-- The visible columns among the given ids, of sites whose content is public (ONLINE, CLOSING): an item's home
-- column as the public may see it (columnsByIds' public rule). Whole rows: the caller maps them to columns.
create function zq_public_columns(p_ids uuid[])
returns setof site_column
language sql stable security definer set search_path = public as $$
  select c.*
    from site_column c join site s on s.id = c.site_id
   where c.id = any (p_ids) and c.visible and s.status in ('ONLINE', 'CLOSING')
$$;
revoke all on function zq_public_columns(uuid[]) from public;
grant execute on function zq_public_columns(uuid[]) to zhanqun_app;

-- 政策解读 ↔ 规范性文件 links of the given items, both ways, to the linked items the public may see: live, listed
-- in a visible open column (item_listing holds exactly those), of a site whose content is public. `of_id` is the
-- item asked about; `side` says what the linked item is to it ('interpretation' or 'policy'). The list
-- projection (no body), as zq_public_items returns it, plus the linked item's site content version (the link
-- and both items are of one site — setInterpretedPolicies — but the version costs nothing here).
create function zq_public_links(p_ids uuid[])
returns table (of_id uuid, side text, site_version bigint, id uuid, site_id uuid, column_id uuid, kind text,
               locale text, slug text, translation_group_id uuid, translation_of_id uuid,
               translation_source_number integer, revision_id uuid, revision_number integer, content jsonb,
               published_at timestamptz, last_published_at timestamptz, index_number text, deadline_at timestamptz,
               created_at timestamptz, updated_at timestamptz)
language sql stable security definer set search_path = public as $$
  select k.of_id, k.side, s.content_version, l.item_id, l.item_site_id, i.column_id, l.kind, l.locale, l.slug,
         l.translation_group_id, l.translation_of_id, l.translation_source_number, l.revision_id, l.revision_number,
         l.content, i.published_at, l.last_published_at, l.index_number, l.deadline_at, l.created_at, l.updated_at
    from (select k.policy_id as of_id, 'interpretation' as side, k.interpretation_id as other
            from item_link k where k.policy_id = any (p_ids)
          union all
          select k.interpretation_id, 'policy', k.policy_id
            from item_link k where k.interpretation_id = any (p_ids)) k
    join lateral (select * from item_listing l where l.item_id = k.other order by l.home desc limit 1) l on true
    join item i on i.id = l.item_id
    join site s on s.id = l.item_site_id and s.status in ('ONLINE', 'CLOSING')
   order by k.of_id, k.side, i.published_at desc, l.item_id desc
$$;
revoke all on function zq_public_links(uuid[]) from public;
grant execute on function zq_public_links(uuid[]) to zhanqun_app;

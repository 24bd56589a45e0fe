-- Issue 10 (search ≤ 1.3× Meilisearch's own latency): the labels of search's column facet without a database
-- round trip after Meilisearch has answered.
--
-- zq_public_column_names (0020) can only be asked once the facet's column ids are known, i.e. after the search:
-- a second round trip on every public search. This door is asked with the sites of the search's scope, which
-- are known before it, so the API asks it while Meilisearch works. It returns each site's tree version (0020:
-- bumped in the same transaction as any change of the site or of its columns) and, only for the sites whose
-- version the caller does not already hold, the names of their visible columns. An API instance keeps those
-- names exactly as long as this function says the version is current: correct across any number of instances,
-- like zq_public_route's column trees.
create function zq_public_column_labels(p_site_ids uuid[], p_known_versions bigint[])
returns table (site_id uuid, version bigint, names jsonb)
language sql stable security definer set search_path = public as $$
  select s.id,
         s.tree_version,
         case when k.known is distinct from s.tree_version then
           coalesce((select jsonb_object_agg(c.id, c.name)
                       from site_column c
                      where c.site_id = s.id and c.visible), '{}'::jsonb)
         end
    from unnest(p_site_ids, p_known_versions) as k (site_id, known)
    join site s on s.id = k.site_id
   -- Only sites whose content is searchable (SEARCHABLE_SITE_STATUSES): a site still being prepared shows
   -- nothing, and a taken-down (ARCHIVED) one serves nothing through any door (migration 0017, 2017 §2).
   where s.status in ('ONLINE', 'CLOSING')
$$;
revoke all on function zq_public_column_labels(uuid[], bigint[]) from public;
grant execute on function zq_public_column_labels(uuid[], bigint[]) to zhanqun_app;

-- Issue 11 (ADR 0015, seventh round). An import adds tens of thousands of items to one site within minutes, faster
-- than autovacuum analyses `item` (it looks once a minute, and then only past 10 % of the table changed). Planned on
-- statistics that knew the site with a few hundred items, the apply's lookups by source key and by slug
-- (`site_id = ? and source_id in (…250…)`) read every item of the site through item_site_state_idx and filtered them:
-- 17.7 ms per batch at 100,000 DedeCMS articles, growing with the run, where the unique keys answer in one or two.
-- The importer refreshes the statistics of the columns those lookups use as the run grows (import.service.ts,
-- `analyseItemLookups`). Through a definer function rather than MAINTAIN on `item`: the app role may analyse these
-- columns of this one table and nothing else (MAINTAIN would also let it VACUUM FULL, CLUSTER, REINDEX or LOCK it).
-- A column list leaves autovacuum's own counter alone, so its full analyse of the table still comes.
create function zq_analyse_item_lookups() returns void
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp as $$
begin
  analyze public.item (site_id, column_id, slug, source_system, source_scope, source_id);
end
$$;
revoke all on function zq_analyse_item_lookups() from public;
grant execute on function zq_analyse_item_lookups() to zhanqun_app;

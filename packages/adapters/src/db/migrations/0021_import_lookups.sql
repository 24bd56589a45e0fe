-- Issue 11 (import throughput): applying a run looks up, for each batch of 500 items, the files the legacy
-- system lists for those items and the staged items that own the old URLs linked from their bodies. Without an
-- index both were a scan of every staged record of the run per batch, so a run's cost grew with the square of
-- its size (a 20,000-article DedeCMS dump: ~8 ms of PostgreSQL CPU per item, most of it parsing payloads).
--
-- The run is inside each key (`<run id> <value>`), not a condition of its own: on a freshly staged run the planner
-- has no statistics yet (the app role cannot ANALYZE) and would otherwise take the primary key (run_id, kind, …)
-- and read every staged record of the run.

-- The keys of a staged record's old paths (its payload's `oldUrls`, a JSON array of strings).
create function zq_import_old_url_keys(r uuid, p json) returns text[]
  language sql immutable parallel safe
  as $$
    select case when json_typeof(p -> 'oldUrls') = 'array'
                then array(select r::text || ' ' || u from json_array_elements_text(p -> 'oldUrls') as u)
                else '{}'::text[] end
  $$;
create index import_record_old_urls_idx on import_record using gin (zq_import_old_url_keys(run_id, payload))
  where kind = 'ITEM';

-- The key of a listed file's item (null for other kinds). Two indexes of the same key, asked together: the partial
-- one is what the planner takes before the table has statistics; once ANALYZE has run (it keeps statistics of a
-- plain index's expression, none of a partial one's), the plain one — without it the planner costs 500 keys as
-- most of the table and reads every staged file per batch.
create function zq_import_file_owner_key(r uuid, k text, p json) returns text
  language sql immutable parallel safe
  as $$ select case when k = 'FILE' then r::text || ' ' || (p ->> 'itemSourceId') end $$;
create index import_record_file_owner_idx on import_record (zq_import_file_owner_key(run_id, kind, payload));
create index import_record_file_owner_staged_idx on import_record ((run_id::text || ' ' || (payload ->> 'itemSourceId')))
  where kind = 'FILE';

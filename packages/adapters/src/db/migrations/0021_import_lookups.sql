-- Issue 11 (import throughput): applying a run looks up, for each batch of 500 items, the files the legacy
-- system lists for those items and the staged items that own the old URLs linked from their bodies. Without an
-- index both were a scan of every staged record of the run per batch, so a run's cost grew with the square of
-- its size (a 100,000-item DedeCMS dump lists ~150,000 files). Both lookups are now index scans.

-- The keys `<run id> <old path>` of a staged record (its payload's `oldUrls`, a JSON array of strings): the run
-- is part of the key because every re-run of a source stages the same old paths again.
create function zq_import_old_url_keys(r uuid, p json) returns text[]
  language sql immutable parallel safe
  as $$
    select case when json_typeof(p -> 'oldUrls') = 'array'
                then array(select r::text || ' ' || u from json_array_elements_text(p -> 'oldUrls') as u)
                else '{}'::text[] end
  $$;
create index import_record_old_urls_idx on import_record using gin (zq_import_old_url_keys(run_id, payload))
  where kind = 'ITEM';
create index import_record_file_item_idx on import_record (run_id, (payload ->> 'itemSourceId'))
  where kind = 'FILE';

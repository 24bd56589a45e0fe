-- Issue 11 (import throughput): the per-batch lookups of migration 0021 were never index scans for the app role.
-- Under row-level security PostgreSQL applies a user's condition through an index only when the condition is
-- leakproof (it could otherwise reveal rows the policy hides, through an error or a side channel): `&&` on arrays,
-- `->>` on json and our own SQL functions are not, so both lookups were sequential scans of every staged record of
-- every run, a JSON parse of each payload per batch — a run's cost grew with the square of its size (measured with
-- pg_stat_statements: 652 ms per batch at 5,000 DedeCMS articles, 27 % of the whole import). As the owner (which
-- bypasses the policy) the same statements used the indexes, which is why the earlier measurement missed it.
--
-- The keys are now plain columns compared with `=` on uuid and text (leakproof), in btree indexes:
-- * a listed file's item: `import_record.owner_source_id` (DedeCMS `uploads.arcid`, PHPCMS `attachment_index`,
--   a WordPress attachment's parent), written when the record is staged;
-- * the old paths of a staged item: `import_old_path`, one row per path, written in the staging statement.
-- Neither needs a JSON parse, at staging (the expression indexes re-parsed each payload on insert and on every
-- update of the record) or at lookup.
--
-- `import_record.slug_key` (`<legacy column id>|<lower-case legacy slug>` of a staged item): the run's legacy-slug
-- clashes are a GROUP BY of this plain column, not a parse of every staged payload (600 ms per 5,000 items).
-- `import_record.title_key` (a hash of a staged item's title): a committed run's plan finds duplicate titles by it,
-- instead of keeping a key per item in memory (peak RSS flat in the export's size).

drop index import_record_old_urls_idx;
drop index import_record_file_owner_idx;
drop index import_record_file_owner_staged_idx;
drop function zq_import_old_url_keys(uuid, json);
drop function zq_import_file_owner_key(uuid, text, json);

alter table import_record add column owner_source_id text;
update import_record set owner_source_id = payload ->> 'itemSourceId' where kind = 'FILE';
create index import_record_owner_idx on import_record (run_id, owner_source_id) where owner_source_id is not null;

alter table import_record add column slug_key text;
alter table import_record add column title_key text;
update import_record set slug_key = coalesce(payload -> 'columnSourceIds' ->> 0, '') || '|' || lower(payload ->> 'slug')
 where kind = 'ITEM' and payload ->> 'slug' is not null;

-- The old paths (`/a/20150301/123.html`, `/plus/view.php?aid=123`) of a run's staged items. No foreign key to
-- the site: it is the run's (which has one), and each key checked costs a lookup per row — a DedeCMS article
-- brings five or more paths.
create table import_old_path (
  run_id uuid not null references import_run (id) on delete cascade,
  path text not null,
  source_id text not null,
  site_id uuid not null,
  primary key (run_id, path, source_id)
);
alter table import_old_path enable row level security;
create policy import_old_path_scope on import_old_path
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, delete on import_old_path to zhanqun_app;

insert into import_old_path (run_id, path, source_id, site_id)
  select distinct r.run_id, u, r.source_id, r.site_id
    from import_record r,
         json_array_elements_text(case when json_typeof(r.payload -> 'oldUrls') = 'array'
                                       then r.payload -> 'oldUrls' else '[]' end) as u
   where r.kind = 'ITEM'
  on conflict do nothing;

-- Issue 11 (import throughput; ADR 0015, fifth round). The staging table is written once per record and read back
-- once, by the run that wrote it; two per-row costs that buy nothing there:
--
-- * `payload` was compressed (pglz) on the way in and decompressed on the way out: a staged item carries its whole
--   body, and pglz_compress was a fifth of PostgreSQL's CPU while importing a DedeCMS dump (perf). Chinese text in
--   UTF-8 compresses little, the payloads are cleared after IMPORT_STAGING_RETENTION_DAYS, and the disk is cheaper
--   than the CPU here: stored out of line, uncompressed (applies to rows written from now on).
-- * the foreign key to `site` locked the site's row for every staged record. The record belongs to its run, whose
--   own key to the site cascades (a site deleted takes its runs, and their records with them), so the second key
--   only repeated that check. import_old_path never had one, for the same reason (migration 0028).
alter table import_record alter column payload set storage external;
alter table import_record drop constraint import_record_site_id_fkey;

-- Issue 11: the daily job clears the staged payloads of runs final for IMPORT_STAGING_RETENTION_DAYS
-- (import-staging-retention.ts). It marks each run it has cleared, so later days pass it by without reading its
-- staged records again (a cleared 1 GB run still has ~250,000 rows).
alter table import_run add column staging_cleared_at timestamptz;

-- Issue 11: the importer analyses its staging tables once a run is staged (import.service.ts, `analyseStaging`).
-- A run stages up to hundreds of thousands of records in a minute or two; autovacuum's analyze comes later, so
-- the statements that apply the run were planned on statistics that knew nothing of it — the planner believed
-- the run had one record, and joined each batch's values to the run's records by rescanning the values once per
-- record (auto_explain: 623,310 rows removed by a join filter to update 790 file records). MAINTAIN (PostgreSQL
-- 17+) allows ANALYZE (and VACUUM, REINDEX, CLUSTER, LOCK) on these two tables and nothing else; without it the
-- ANALYZE is skipped with a warning, never an error.
grant maintain on import_record, import_old_path to zhanqun_app;

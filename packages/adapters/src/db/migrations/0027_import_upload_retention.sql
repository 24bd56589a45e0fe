-- Uploaded legacy exports (POST /imports/uploads) are purged (ADR 0031 is about CORS; the lifecycle is in
-- docs/import.md#uploaded-exports): the object storage keeps an upload while a run that refers to it can still
-- read it, and the worker's daily purge-import-uploads job deletes the rest. This register is what the job reads:
-- one row per upload a site holds (the object is `imports/<site_id>/<sha256>`), with when it was last uploaded,
-- so a fresh upload no run has used yet is kept for IMPORT_UPLOAD_RETENTION_DAYS.
create table import_upload (
  site_id uuid not null references site (id) on delete cascade,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  name text not null check (length(name) between 1 and 120),
  size bigint not null check (size >= 0),
  uploaded_at timestamptz not null,
  primary key (site_id, sha256)
);
create index import_upload_uploaded_idx on import_upload (uploaded_at);
alter table import_upload enable row level security;
create policy import_upload_scope on import_upload
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update, delete on import_upload to zhanqun_app;

-- Uploads stored before this register: every one was audited (`import.upload`), the latest entry per object wins.
insert into import_upload (site_id, sha256, name, size, uploaded_at)
select distinct on (site_id, target_id) site_id, target_id, coalesce(nullif(changes ->> 'name', ''), 'export'),
       coalesce((changes ->> 'size')::bigint, 0), at
  from audit_record
 where action = 'import.upload' and site_id is not null and target_id ~ '^[0-9a-f]{64}$'
 order by site_id, target_id, at desc;

-- Issue 7 part B: account care (revoking access tokens at once) and the anchored end of the audit chain.

-- Account care. A password reset, a password change or disabling a user bumps the user's session version; access
-- tokens carry the version they were issued under (`sv`), and the actor loader refuses an older one at once —
-- a JWT cannot be recalled, but the one round trip that loads the actor can compare a number.
alter table app_user add column session_version integer not null default 0;

-- The actor function returns the session version as well (its row type changes, so it is dropped and re-made).
drop function zq_actor(uuid);
create function zq_actor(p_user_id uuid) returns table (
  id uuid, email text, name text, disabled boolean, platform_admin boolean, session_version integer, memberships jsonb)
language sql stable security definer set search_path = public as $$
  select u.id, u.email, u.name, u.disabled, u.platform_admin, u.session_version,
         coalesce((select jsonb_agg(jsonb_build_object(
             'siteId', m.site_id, 'roles', m.roles, 'columnId', m.column_id,
             'columnPath', (select c.path from site_column c where c.id = m.column_id),
             'outsourced', m.outsourced, 'outsourcedUntil', m.outsourced_until))
           from membership m where m.user_id = u.id), '[]'::jsonb)
  from app_user u where u.id = p_user_id
$$;
revoke all on function zq_actor(uuid) from public;
grant execute on function zq_actor(uuid) to zhanqun_app;

-- 存档备查: the hash chain proves that nothing inside it was changed or removed, but not that its newest records
-- were not cut off. A checkpoint records each chain's head (sequence number, hash, number of records) at a time;
-- `verifyAuditChain` then requires the chain to reach that head unchanged. Checkpoints are written only by the
-- definer function below (the application role may execute it and read checkpoints of its scope, never insert,
-- update or delete rows itself), by a pg-boss schedule in the worker, which also writes each one to the log: an
-- anchor outside the database, for the case the owner deletes both the records and their checkpoints.
create table audit_checkpoint (
  id bigserial primary key,
  site_id uuid references site (id),
  head_seq bigint not null,
  head_hash text not null,
  records bigint not null,
  at timestamptz not null
);
create index audit_checkpoint_chain_idx on audit_checkpoint (site_id, id desc);

alter table audit_checkpoint enable row level security;
create policy audit_checkpoint_read on audit_checkpoint for select
  using (site_id = any (zq_allowed_sites()) or (site_id is null and zq_platform_scope()));
grant select on audit_checkpoint to zhanqun_app;

-- Anchors the head of every chain that moved since its last checkpoint; returns the new checkpoints. The count is
-- taken incrementally from the previous checkpoint, so a run reads only the records written since.
create function zq_audit_checkpoint(p_at timestamptz)
returns table (site_id uuid, head_seq bigint, head_hash text, records bigint, at timestamptz)
language sql volatile security definer set search_path = public as $$
  with latest as (
    select distinct on (c.site_id) c.site_id, c.head_seq, c.records
      from audit_checkpoint c order by c.site_id, c.id desc
  ), chains as (
    select s.id as site_id from site s union all select null::uuid
  ), heads as (
    select ch.site_id,
           coalesce(l.records, 0) + (select count(*) from audit_record a
             where a.site_id is not distinct from ch.site_id and a.seq > coalesce(l.head_seq, 0)) as records,
           (select a.seq from audit_record a where a.site_id is not distinct from ch.site_id
             order by a.seq desc limit 1) as head_seq
      from chains ch left join latest l on l.site_id is not distinct from ch.site_id
  )
  insert into audit_checkpoint (site_id, head_seq, head_hash, records, at)
  select h.site_id, h.head_seq, (select a.hash from audit_record a where a.seq = h.head_seq), h.records, p_at
    from heads h left join latest l on l.site_id is not distinct from h.site_id
   -- Only a chain that moved forward: a head behind its checkpoint (records cut off) is never re-anchored.
   where h.head_seq > coalesce(l.head_seq, 0)
  returning audit_checkpoint.site_id, audit_checkpoint.head_seq, audit_checkpoint.head_hash,
            audit_checkpoint.records, audit_checkpoint.at
$$;
revoke all on function zq_audit_checkpoint(timestamptz) from public;
grant execute on function zq_audit_checkpoint(timestamptz) to zhanqun_app;

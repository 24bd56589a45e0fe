-- Every definer function resolves names in the owner's schemas, never in the caller's temp schema.
--
-- A function declared `security definer set search_path = public` still searches the caller's temp schema
-- (pg_temp) *first* for tables: PostgreSQL does so whenever pg_temp is not named in search_path. A session of the
-- app role may create temp tables (PUBLIC holds TEMPORARY on a database by default), so one named `site` or `item`
-- made these functions read what the caller put there — a taken-down site shown ONLINE (found in review of
-- migration 0033, ADR 0030 second round). PostgreSQL's documented safe form ("Writing SECURITY DEFINER Functions
-- Safely") names pg_temp last. Functions with SQL-standard bodies (`begin atomic`, migration 0033) are bound to
-- their objects when created and are left as they are. rls.int.test.ts keeps every later definer function so.
do $$
declare
  f record;
begin
  for f in
    select p.oid::regprocedure as sig
      from pg_proc p
      join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prosecdef and p.prosqlbody is null
  loop
    execute format('alter function %s set search_path = pg_catalog, public, pg_temp', f.sig);
  end loop;
end
$$;

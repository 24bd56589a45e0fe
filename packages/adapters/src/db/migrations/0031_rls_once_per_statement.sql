-- Row-level security evaluated once per statement, not once per row (issue 11: throughput; ADR 0033).
--
-- Every policy compared each row with `zq_allowed_sites()`. PostgreSQL inlines that SQL function, and a stable
-- expression in a filter is evaluated again for every row: for each row inserted, updated or read, it fetched the
-- `zq.site_ids` setting, split it and parsed every uuid in it. For an actor who reaches every site of the city (the
-- worker, a platform administrator: 30 sites in the demo city) that was ~25 µs per row inserted, ~50 µs per row
-- updated and ~20 µs per row scanned — more than the write itself, and growing with the number of sites.
--
-- Written as a scalar sub-select, `(select zq_allowed_sites())` is an InitPlan: evaluated once when the statement
-- starts, its array is then compared with each row. Same rows admitted, same rows refused. The same holds for
-- `zq_user_id()` and `zq_platform_scope()`. The rewrite is done on the policies as stored (pg_get_expr), so every
-- policy of the schema is covered whichever migration created it; rls.int.test.ts keeps it so for later ones.
do $$
declare
  p record;
  q text;
  c text;
  stmt text;
begin
  for p in
    select pol.polname, cl.relname,
           pg_get_expr(pol.polqual, pol.polrelid) as qual,
           pg_get_expr(pol.polwithcheck, pol.polrelid) as chk
      from pg_policy pol
      join pg_class cl on cl.oid = pol.polrelid
      join pg_namespace n on n.oid = cl.relnamespace
     where n.nspname = 'public'
  loop
    q := p.qual;
    c := p.chk;
    -- `= ANY ((select …))` would read the sub-select as a set of rows; cast, it is one array value.
    q := replace(q, 'zq_allowed_sites()', '((select zq_allowed_sites())::uuid[])');
    c := replace(c, 'zq_allowed_sites()', '((select zq_allowed_sites())::uuid[])');
    q := replace(replace(q, 'zq_user_id()', '(select zq_user_id())'), 'zq_platform_scope()', '(select zq_platform_scope())');
    c := replace(replace(c, 'zq_user_id()', '(select zq_user_id())'), 'zq_platform_scope()', '(select zq_platform_scope())');
    if q is distinct from p.qual or c is distinct from p.chk then
      stmt := format('alter policy %I on public.%I', p.polname, p.relname);
      if q is not null then stmt := stmt || ' using (' || q || ')'; end if;
      if c is not null then stmt := stmt || ' with check (' || c || ')'; end if;
      execute stmt;
    end if;
  end loop;
end
$$;

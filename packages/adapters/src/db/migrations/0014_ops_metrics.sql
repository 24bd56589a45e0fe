-- Operations metrics (/metrics) need two platform-wide figures without a site scope: how many search change
-- records wait for delivery, and how old the oldest one is (the search delivery lag). A metrics scrape has no
-- actor, so it cannot pass row-level security on search_change; this definer function returns only the two
-- aggregates, never a row. Cheap: both read the partial index of pending records.
create function zq_search_backlog() returns table (pending bigint, oldest_pending_at timestamptz)
language sql stable security definer set search_path = public as $$
  select (select count(*) from search_change where processed_at is null),
         (select created_at from search_change where processed_at is null order by id limit 1)
$$;

revoke all on function zq_search_backlog() from public;
grant execute on function zq_search_backlog() to zhanqun_app;

-- ADR 0030, "Second round: the definer functions". Same signatures, rows, order and errors; only what measured
-- cheaper per call (backend CPU, bench/functions.ts; figures in the ADR) is redefined here.
--
-- * zq_public_item and zq_public_versions (the check behind every kept answer, ADR 0028): no `SET search_path`
--   clause (PostgreSQL saves, sets and restores a GUC around every call that has one) and SQL-standard bodies
--   (`begin atomic … end`) instead: PostgreSQL parses them once, here, and stores them with every name already
--   resolved to its object — tables (written `public.…` besides), functions, operators, types — so no caller's
--   search_path (a temp table, an operator in a schema of its own) can redirect a definer function, which is what
--   the `SET` guarded against (PostgreSQL docs, "Writing SECURITY DEFINER Functions Safely"). The catch: these
--   functions now depend on the columns they read, so a later migration that drops or retypes one of them must
--   drop and recreate the function (PostgreSQL refuses otherwise; nothing breaks quietly).
-- * zq_public_items_under: the page chosen before the content is read (below).
--
-- Left as they were, measured: zq_public_items as one SQL statement (both branches, the column lookup joined in)
-- cost 2.3x the plpgsql version per call — PostgreSQL re-plans a statement whose generic plan looks dearer than
-- the custom one, and it did so on every call, where plpgsql keeps two small generic plans; zq_public_route and
-- zq_public_links without their `SET` showed no gain beyond the noise. All of them already return exactly the
-- columns the read port maps (PublicItemRow, route-data.ts), so there was nothing to cut.

-- As 0017.
create or replace function zq_public_item(p_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language sql stable security definer
begin atomic
  select l.item_id, l.item_site_id, i.column_id, l.kind, l.locale, l.slug, l.translation_group_id,
         l.translation_of_id, l.translation_source_number, l.revision_id, l.revision_number, r.content,
         i.published_at, l.last_published_at, l.index_number, l.deadline_at, l.created_at, l.updated_at
    from public.item_listing l
    join public.item i on i.id = l.item_id
    join public.item_revision r on r.id = l.revision_id
    join public.site s on s.id = l.item_site_id and s.status in ('ONLINE', 'CLOSING')
   where l.item_id = p_id
   order by l.home desc
   limit 1;
end;

-- As 0017, the same rows in the same order; but the page is chosen first (ids only) and the published revisions'
-- content read for those rows alone. Before, `r.content - 'body'` sat in the sorted target list, so every
-- matching item of the site had its whole content (a ~3 KB TOASTed body) detoasted and rewritten before the
-- top-N sort kept 21 of them: ~330 ms of backend CPU per call for a channel of 10,000 items.
create or replace function zq_public_items_under(p_site_id uuid, p_column_path text, p_kind text, p_limit integer,
                                                 p_after_at timestamptz, p_after_id uuid)
returns table (id uuid, site_id uuid, column_id uuid, kind text, locale text, slug text, translation_group_id uuid,
               translation_of_id uuid, translation_source_number integer, revision_id uuid, revision_number integer,
               content jsonb, published_at timestamptz, last_published_at timestamptz, index_number text,
               deadline_at timestamptz, created_at timestamptz, updated_at timestamptz)
language sql stable security definer
begin atomic
  select i.id, i.site_id, i.column_id, i.kind, i.locale, i.slug, i.translation_group_id, i.translation_of_id,
         i.translation_source_number, r.id, r.number, r.content - 'body', i.published_at, i.last_published_at,
         i.index_number, i.deadline_at, i.created_at, i.updated_at
    from (select i.id, r.id as revision_id
            from public.item i
            join public.item_revision r on r.id = i.published_revision_id
           where exists (select 1 from public.site s where s.id = p_site_id and s.status in ('ONLINE', 'CLOSING'))
             and i.site_id = p_site_id
             and exists (select 1 from public.item_placement p join public.site_column c on c.id = p.column_id
                          where p.item_id = i.id and p.live and c.visible and c.status = 'OPEN'
                            and (c.path = p_column_path or c.path like p_column_path || '/%'))
             and (i.published_at, i.id) < (coalesce(p_after_at, 'infinity'::timestamptz),
                                           coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
             and (p_kind is null or i.kind = p_kind)
           order by i.published_at desc, i.id desc
           limit least(p_limit, 101)) t
    join public.item i on i.id = t.id
    join public.item_revision r on r.id = t.revision_id
   -- The joins may return the page in any order: sorted again (at most 101 rows; the key is unique).
   order by i.published_at desc, i.id desc;
end;

-- As 0025.
create or replace function zq_public_versions(p_site_ids uuid[])
returns bigint[]
language sql stable security definer
begin atomic
  select array_agg(s.content_version order by o.n)
    from unnest(p_site_ids) with ordinality as o(id, n)
    left join public.site s on s.id = o.id;
end;


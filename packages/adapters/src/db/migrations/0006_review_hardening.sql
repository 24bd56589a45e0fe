-- Issue 7, part A: reviewed placements and frozen deadlines, and a site taken down at once.

-- Each revision keeps the publishing deadline its content implied when saved; a publication copies the
-- published revision's into item.deadline_at, so a later unreviewed draft edit cannot move the public
-- deadline or timeliness (2015 §2; 2017 §1.1).
alter table item_revision add column deadline_at timestamptz;
-- Until now item.deadline_at followed the head revision: that is the best record of what the head implied.
update item_revision r set deadline_at = i.deadline_at from item i where i.head_revision_id = r.id;
-- Revisions stay insert-only for the app role (grants of 0002 unchanged).

-- 2017 §2 无保障能力的立即关停: a platform admin can take a site down at once; why, and the notice shown
-- in its place, are stored with the site. The 30-day closing path (CLOSING → ARCHIVED) stays the default.
alter table site add column taken_down_at timestamptz;
alter table site add column closing_reason text;
alter table site add column closing_notice text;
alter table site add constraint site_takedown_complete check (
  taken_down_at is null or (closing_reason is not null and closing_notice is not null)
);

-- 2017 §1.3: department sites disclose law enforcement and inspections too (执法监督: 行政执法, 监督检查
-- under 法定主动公开内容). New sites get them from the template; existing department sites get them here,
-- hidden (a blank column is never public), after their other columns.
insert into site_column (id, site_id, parent_id, code, path, name, type, update_class, locked, visible, sort_order,
                         link_url, created_at, updated_at)
select gen_random_uuid(), p.site_id, p.id, v.code, p.path || '/' || v.code, v.name, 'LIST', 'NOTICE_6M', false, false,
       coalesce((select max(c.sort_order) from site_column c where c.parent_id = p.id), 0) + v.step, null, now(), now()
from site s
join site_column p on p.site_id = s.id and p.path = '/zwgk/fdzdgknr'
cross join (values ('xzzf', '行政执法', 10), ('jdjc', '监督检查', 20)) as v (code, name, step)
where s.kind = 'DEPARTMENT'
  and not exists (select 1 from site_column c where c.site_id = s.id and c.path = p.path || '/' || v.code);

-- 2017 §1.3: a link column without its URL is never public (the demo city showed template links with none).
update site_column set visible = false where type = 'LINK' and link_url is null and visible;

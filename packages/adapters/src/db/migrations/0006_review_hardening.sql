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

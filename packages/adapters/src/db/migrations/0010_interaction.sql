-- Interaction (互动交流, 2015 §4): leader mailboxes and their letters, and the state that keeps public writes safe.
-- Letters carry personal data: they are site-owned under row-level security like content, and the public reaches
-- a letter only through the narrow definer function below, with its tracking code (the secret is checked in core
-- against a hash; the secret itself is never stored).

create table mailbox (
  id uuid primary key,
  site_id uuid not null references site (id),
  -- The column whose public list shows the published replies (互动交流 › 县长信箱, locked in the template).
  column_id uuid references site_column (id),
  name text not null,
  -- 2015 §4: 专人负责, a named maintainer per mailbox.
  maintainer_id uuid not null references app_user (id),
  maintainer_name text not null,
  created_at timestamptz not null default now(),
  unique (site_id, name)
);
create index mailbox_site_idx on mailbox (site_id);

create table letter (
  id uuid primary key,
  site_id uuid not null references site (id),
  mailbox_id uuid not null references mailbox (id),
  tracking_code text not null unique,
  secret_hash text not null,
  subject text not null,
  body text not null,
  -- Personal data: name, phone, e-mail, address. Never indexed, never logged; staff reads are audited.
  contact jsonb not null,
  may_publish boolean not null,
  status text not null check (status in ('RECEIVED', 'ACCEPTED', 'INVALID', 'ANSWERED', 'CLOSED')),
  received_at timestamptz not null,
  received_on date not null,
  due_on date,
  deadline_uncomputable boolean not null default false,
  extended_at timestamptz,
  extension_reason text,
  invalid_reason text,
  handler_id uuid references app_user (id),
  handler_name text,
  transfers jsonb not null default '[]',
  reply text,
  answering_body text,
  answered_at timestamptz,
  close_explanation text,
  closed_at timestamptz,
  reminded_at timestamptz,
  escalated_at timestamptz,
  reply_item_id uuid references item (id),
  updated_at timestamptz not null default now()
);
create index letter_site_status_idx on letter (site_id, status, received_at desc);
create index letter_open_due_idx on letter (due_on) where status in ('RECEIVED', 'ACCEPTED');

alter table mailbox enable row level security;
create policy mailbox_scope on mailbox using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table letter enable row level security;
create policy letter_scope on letter using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

grant select, insert, update on mailbox, letter to zhanqun_app;

-- The public follows a letter by its tracking code, before any site scope exists (the letter may have been
-- transferred to another site meanwhile). Returns only what is needed to check the secret and pick the scope.
create function zq_letter_by_code(p_code text) returns table (id uuid, site_id uuid, secret_hash text)
language sql stable security definer set search_path = public as $$
  select l.id, l.site_id, l.secret_hash from letter l where l.tracking_code = p_code
$$;
revoke all on function zq_letter_by_code(text) from public;
grant execute on function zq_letter_by_code(text) to zhanqun_app;

-- Throttling of public writes, per client address and per contact (both as SHA-256, no personal data), in a
-- fixed window. In PostgreSQL so that every API instance counts the same (like login_throttle). Platform-wide.
create table public_write_throttle (
  key text primary key,
  hits integer not null,
  window_started_at timestamptz not null
);
-- ALTCHA challenges already used: a solved challenge is accepted once. Kept until the challenge expires.
create table altcha_spent (
  signature text primary key,
  expires_at timestamptz not null
);
create index altcha_spent_expires_idx on altcha_spent (expires_at);
grant select, insert, update, delete on public_write_throttle, altcha_spent to zhanqun_app;

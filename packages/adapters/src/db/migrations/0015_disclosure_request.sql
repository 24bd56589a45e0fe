-- Disclosure on request (依申请公开; 2017 §1.3, the 2019 Regulations on Open Government Information): requests with
-- their applicant (personal data), receipt date by channel, correction (补正), extension and third-party
-- consultation, and the answer's type. Site-owned under row-level security like letters.
create table disclosure_request (
  id uuid primary key,
  site_id uuid not null references site (id),
  tracking_code text not null unique,
  -- Personal data: name, organisation, phone, e-mail, address. Never indexed, never logged.
  applicant jsonb not null,
  description text not null,
  delivery_form text not null check (delivery_form in ('PAPER', 'EMAIL', 'ONLINE', 'PICKUP')),
  channel text not null check (channel in ('IN_PERSON', 'POST', 'REGISTERED_POST', 'ONLINE', 'FAX', 'EMAIL')),
  submitted_on date not null,
  -- 条例 §31: the day that counts; null until the office signs for or confirms the request.
  received_on date,
  status text not null check (status in ('OPEN', 'AWAITING_CORRECTION', 'ANSWERED')),
  correction_note text,
  correction_requested_at timestamptz,
  corrected_on date,
  extended_at timestamptz,
  extension_approver text,
  extension_reason text,
  -- Third-party consultations (条例 §32): [{from, to, party}], inclusive dates, not counted.
  pauses jsonb not null default '[]',
  due_on date,
  answer_type text,
  answer text,
  answered_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index disclosure_request_site_idx on disclosure_request (site_id, submitted_on desc);

alter table disclosure_request enable row level security;
create policy disclosure_request_scope on disclosure_request
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
grant select, insert, update on disclosure_request to zhanqun_app;

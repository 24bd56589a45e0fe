-- Interaction, second part (issue 9; 2015 §3, §4): online interviews (在线访谈) with the public's questions,
-- surveys and consultations (意见征集, 网上调查) with one answer per person, citizens' attachments through the
-- media pipeline, and the disclosure requests' reminders, escalations and answer documents. Every table is
-- site-owned under row-level security like letters; the public reaches these rows only through core, in a scope
-- that holds exactly the one public site it writes to or reads.

-- 2015 §4: 在线访谈, announced in advance (提前做好预告); 2015 §3: an interview may interpret policy documents.
create table interview (
  id uuid primary key,
  site_id uuid not null references site (id),
  topic text not null,
  description text not null,
  -- [{name, title}]: the guests (officials, experts) named in the announcement.
  guests jsonb not null,
  starts_at timestamptz not null,
  ends_at timestamptz,
  status text not null check (status in ('ANNOUNCED', 'LIVE', 'ENDED', 'PUBLISHED')),
  -- The column the announcement and the transcript are published in (互动交流 › 在线访谈 by default).
  column_id uuid not null references site_column (id),
  -- Policy documents (items) the interview interprets: the transcript is then an interpretation linked to them.
  interprets jsonb not null default '[]',
  -- Media of the interview (images, video, documents) by id: published with the transcript.
  media jsonb not null default '[]',
  announcement_item_id uuid references item (id),
  transcript_item_id uuid references item (id),
  live_at timestamptz,
  ended_at timestamptz,
  published_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index interview_site_idx on interview (site_id, starts_at desc);

create table interview_question (
  id uuid primary key,
  site_id uuid not null references site (id),
  interview_id uuid not null references interview (id),
  body text not null,
  -- Personal data of the asker (name, phone or e-mail): never public, never in the transcript.
  asker jsonb not null,
  -- Asked before the interview (ANNOUNCED) or during it (LIVE).
  phase text not null check (phase in ('BEFORE', 'DURING')),
  status text not null check (status in ('PENDING', 'APPROVED', 'REJECTED')),
  answer text,
  answered_by text,
  asked_at timestamptz not null,
  moderated_at timestamptz,
  moderated_by text,
  answered_at timestamptz
);
create index interview_question_idx on interview_question (interview_id, asked_at);

-- 2015 §4: 调查类栏目 — consultations and surveys on government decisions and public concerns, results and how
-- they were used (运用情况) published.
create table survey (
  id uuid primary key,
  site_id uuid not null references site (id),
  kind text not null check (kind in ('CONSULTATION', 'SURVEY')),
  title text not null,
  description text not null,
  -- The decision or public concern the survey is about.
  concern text not null,
  -- An optional item (a document draft, a notice) the survey is tied to.
  linked_item_id uuid references item (id),
  opens_at timestamptz not null,
  closes_at timestamptz not null check (closes_at > opens_at),
  questions jsonb not null,
  status text not null check (status in ('DRAFT', 'OPEN', 'CLOSED', 'RESULT_PUBLISHED')),
  column_id uuid not null references site_column (id),
  -- Keys the per-survey one-answer hash (a random per-survey salt; hashes of two surveys cannot be linked).
  voter_salt text not null,
  usage text,
  result_item_id uuid references item (id),
  completed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index survey_site_idx on survey (site_id, closes_at desc);

create table survey_response (
  id uuid primary key,
  site_id uuid not null references site (id),
  survey_id uuid not null references survey (id),
  answers jsonb not null,
  -- HMAC-SHA256(survey salt, normalised phone or e-mail): one answer per contact per survey. No contact in clear.
  voter_hash text not null,
  -- Free-text answers are shown in the results only once moderated (NONE: the response has none).
  text_status text not null check (text_status in ('NONE', 'PENDING', 'APPROVED', 'REJECTED')),
  submitted_at timestamptz not null,
  unique (survey_id, voter_hash)
);
create index survey_response_idx on survey_response (survey_id, submitted_at);

-- A citizen's upload (a letter's attachment), stored as site media that is not public: claimed by one letter.
create table public_upload (
  media_id uuid primary key references media (id),
  site_id uuid not null references site (id),
  uploaded_at timestamptz not null,
  letter_id uuid references letter (id),
  claimed_at timestamptz
);
create index public_upload_site_idx on public_upload (site_id, uploaded_at);

-- [{mediaId, name, mediaType, size}]: the files a letter came with.
alter table letter add column attachments jsonb not null default '[]';

-- Disclosure: a year without calendar data flags the deadline (like letters), filled in by the sweep; reminders
-- and escalations once per deadline; the answer document through the media pipeline.
alter table disclosure_request
  add column deadline_uncomputable boolean not null default false,
  add column reminded_at timestamptz,
  add column escalated_at timestamptz,
  add column answer_media_id uuid references media (id);
create index disclosure_request_open_due_idx on disclosure_request (due_on) where status = 'OPEN';

alter table interview enable row level security;
create policy interview_scope on interview
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table interview_question enable row level security;
create policy interview_question_scope on interview_question
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table survey enable row level security;
create policy survey_scope on survey
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table survey_response enable row level security;
create policy survey_response_scope on survey_response
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table public_upload enable row level security;
create policy public_upload_scope on public_upload
  using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

grant select, insert, update on interview, interview_question, survey, survey_response, public_upload to zhanqun_app;

-- Media (issue 8): uploaded images and attachments as site-owned, content-addressed, archived content
-- (2017 §1.2 存档备查、可追溯: a published revision pins the exact bytes it used, forever).

create table media (
  id uuid primary key,
  site_id uuid not null references site (id),
  -- SHA-256 of the stored bytes (the content address; images are stored with their metadata stripped).
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  -- SHA-256 of the bytes as received, so the same upload is stored once per site.
  upload_sha256 text not null check (upload_sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  media_type text not null,
  kind text not null check (kind in ('IMAGE', 'DOCUMENT', 'AUDIO', 'VIDEO')),
  extension text not null check (extension ~ '^[a-z0-9]{1,8}$'),
  -- Kept only for Content-Disposition on download; never used as a path.
  original_name text not null,
  title text,
  alt text,
  caption text,
  width integer,
  height integer,
  animated boolean not null default false,
  placeholder text,
  -- A replaced file is a new version; the old one stays for the revisions that use it.
  previous_id uuid references media (id),
  text_status text not null default 'NONE' check (text_status in ('NONE', 'PENDING', 'DONE', 'FAILED')),
  extracted_text text,
  created_by uuid references app_user (id),
  created_by_name text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
);
create unique index media_site_upload_uq on media (site_id, upload_sha256) where deleted_at is null;
create index media_site_created_idx on media (site_id, created_at desc, id desc) where deleted_at is null;
create index media_site_sha_idx on media (site_id, sha256);

-- Derived images (widths × formats), made by the worker soon after upload or on demand when missing.
create table media_rendition (
  media_id uuid not null references media (id),
  name text not null check (name ~ '^w[0-9]{2,4}\.(webp|avif|jpg|png|gif)$'),
  site_id uuid not null references site (id),
  sha256 text not null,
  size bigint not null,
  media_type text not null,
  width integer not null,
  height integer not null,
  created_at timestamptz not null,
  primary key (media_id, name)
);

-- Which revision uses which media (inserted with the revision, never updated or deleted, like the revision).
create table media_reference (
  revision_id uuid not null references item_revision (id),
  media_id uuid not null references media (id),
  role text not null check (role in ('IMAGE', 'ATTACHMENT', 'INLINE')),
  item_id uuid not null references item (id),
  site_id uuid not null references site (id),
  sha256 text not null,
  primary key (revision_id, media_id, role)
);
create index media_reference_media_idx on media_reference (media_id);

alter table media enable row level security;
create policy media_scope on media using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table media_rendition enable row level security;
create policy media_rendition_scope on media_rendition using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));
alter table media_reference enable row level security;
create policy media_reference_scope on media_reference using (site_id = any (zq_allowed_sites())) with check (site_id = any (zq_allowed_sites()));

-- Media rows are soft-deleted (deleted_at), never removed; references are only inserted.
grant select, insert, update on media to zhanqun_app;
grant select, insert, update, delete on media_rendition to zhanqun_app;
grant select, insert on media_reference to zhanqun_app;

-- The public door for files: a media file is public exactly when the published revision of a live item of a
-- public site uses it. Returns what serving needs and nothing for anything else (drafts' files stay private).
create function zq_public_media(p_id uuid)
returns table (id uuid, site_id uuid, sha256 text, size bigint, media_type text, kind text, extension text,
               original_name text, animated boolean)
language sql stable security definer set search_path = public as $$
  select m.id, m.site_id, m.sha256, m.size, m.media_type, m.kind, m.extension, m.original_name, m.animated
    from media m
   where m.id = p_id and m.deleted_at is null
     and exists (select 1 from site s where s.id = m.site_id and s.status <> 'PREPARING')
     and exists (select 1
                   from media_reference r
                   join item i on i.published_revision_id = r.revision_id
                  where r.media_id = m.id and i.state = 'PUBLISHED')
$$;
revoke execute on function zq_public_media(uuid) from public;
grant execute on function zq_public_media(uuid) to zhanqun_app;

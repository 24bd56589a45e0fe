/**
 * Legacy exports uploaded through the API (issue 11): a WXR file, a .sql dump, a zip of a static site or of a
 * bundle, and the uploads zip for `files`. The bytes go to the media object storage (ImportPort.uploads; S3 in
 * production), never only to the disk of the API instance that received them: the worker that runs the import,
 * on any machine, fetches them into a work directory of its own for the run and removes it afterwards.
 *
 * An upload is named in `startImport` by its reference, `upload:<sha256>/<file name>`: the content address (the
 * same export uploaded twice is one object) and the name the adapters sniff by. Uploads are per site: a reference
 * only resolves for the site it was uploaded to.
 */
import type { EntityManager } from '@mikro-orm/sql';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { assertWritable } from '../sites/site-lookup.ts';
import type { Site } from '../sites/site.entity.ts';
import { requireImportSite } from './import.service.ts';

const REF = /^upload:([0-9a-f]{64})\/([^/\\]{1,120})$/;

export const isUploadRef = (s: string) => s.startsWith('upload:');

/** A file name safe to write as one path segment: letters (Chinese included), digits, `.`, `-`, `_`. */
export function uploadName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const safe = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[.]+/, '')
    .slice(-120);
  return safe || 'export';
}

export interface ImportUpload {
  /** What startImport's `source` or `files` takes. */
  ref: string;
  name: string;
  size: number;
  sha256: string;
}

function uploads(ctx: Ctx) {
  if (!ctx.importer) throw new Error('import port not configured');
  return ctx.importer.uploads;
}

/**
 * Who may upload an export for a site: whoever may import into it (a site admin, an IMPORT-scoped API token of
 * the site). The edge asks before it receives a byte, so nobody else can fill a disk.
 */
export async function requireUploadSite(ctx: Ctx, siteCode: string): Promise<Site> {
  const site = await requireImportSite(ctx, siteCode);
  assertWritable(site);
  return site;
}

/**
 * Keeps a received export (streamed to a temporary file and hashed by the edge) for imports into `site`. The
 * register row (import_upload, migration 0027) is written — and its `uploaded_at` renewed — before the object is
 * put: a purge that holds the row at that moment finishes (object and row gone) before this upload proceeds, and
 * one that comes after sees a fresh upload and keeps it (import-upload-retention.ts).
 */
export async function storeImportUpload(
  ctx: Ctx,
  site: Site,
  file: { path: string; name: string; size: number; sha256: string },
): Promise<ImportUpload> {
  const name = uploadName(file.name);
  await ctx.em.transactional(async (tx) => {
    await tx.execute(
      `insert into import_upload (site_id, sha256, name, size, uploaded_at) values (?, ?, ?, ?, ?)
       on conflict (site_id, sha256) do update set name = excluded.name, size = excluded.size,
         uploaded_at = excluded.uploaded_at`,
      [site.id, file.sha256, name, file.size, ctx.now()],
    );
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'import.upload',
      targetType: 'ImportUpload',
      targetId: file.sha256,
      changes: { name, size: file.size },
    });
  });
  await uploads(ctx).put(site.id, file.sha256, file.path);
  return { ref: `upload:${file.sha256}/${name}`, name, size: file.size, sha256: file.sha256 };
}

/** The content addresses of the uploads a run's source and files refer to. */
export function uploadShas(o: { source?: unknown; files?: unknown }): string[] {
  const refs = [...(Array.isArray(o.source) ? o.source : []), o.files].filter(
    (s): s is string => typeof s === 'string',
  );
  const shas = refs.map((r) => REF.exec(r)?.[1]).filter((s): s is string => !!s);
  return [...new Set(shas)];
}

/**
 * Inside the transaction that creates a run: holds the register rows of the uploads it refers to (FOR SHARE)
 * until the run is committed, and refuses one the purge has just deleted. A purge holds the row FOR UPDATE while
 * it deletes, and re-reads the runs after taking it: either the run is seen and the upload kept, or the upload is
 * gone before the run is written (NOT_FOUND, like any missing upload).
 */
export async function holdUploads(
  tx: EntityManager,
  siteId: string,
  o: { source: string[]; files?: string | null },
): Promise<void> {
  const shas = uploadShas(o);
  if (!shas.length) return;
  const rows = await tx.execute<{ sha256: string }[]>(
    'select sha256 from import_upload where site_id = ? and sha256 in (?) for share',
    [siteId, shas],
  );
  const held = new Set(rows.map((r) => r.sha256));
  const missing = shas.find((s) => !held.has(s));
  if (missing) throw new AppError('NOT_FOUND', `No upload upload:${missing} for this site`, { field: 'source' });
}

/** Refuses a reference that is malformed or names nothing uploaded to this site (NOT_FOUND, like a missing one). */
export async function requireUpload(ctx: Ctx, siteId: string, ref: string, field: string): Promise<string> {
  const m = REF.exec(ref);
  if (!m || uploadName(m[2]!) !== m[2] || !(await uploads(ctx).exists(siteId, m[1]!)))
    throw new AppError('NOT_FOUND', `No upload ${ref.slice(0, 200)} for this site`, { field });
  return ref;
}

/**
 * The run's sources and files with every upload reference replaced by a local copy in `workDir`: a zip given as
 * the source is extracted (a bundle or a static snapshot; safely, with limits), a zip given as `files` is read in
 * place by the file store.
 */
export async function localUploads<O extends { source: string[]; files?: string | null }>(
  ctx: Ctx,
  siteId: string,
  o: O,
  workDir: string,
): Promise<O> {
  const fetch = async (ref: string, extract: boolean) => {
    const m = REF.exec(ref);
    if (!m) throw new AppError('NOT_FOUND', `No upload ${ref.slice(0, 200)}`, { field: 'source' });
    try {
      return await uploads(ctx).fetch(siteId, m[1]!, m[2]!, workDir, extract);
    } catch (e) {
      // A missing object or an archive refused (ARCHIVE_TOO_LARGE, ARCHIVE_TOO_MANY_ENTRIES…) fails the run with
      // the reason, like a source that cannot be read.
      const code = (e as { code?: string }).code ?? null;
      throw new AppError('IMPORT_SOURCE_UNREADABLE', `${m[2]}: ${code ? `${code}: ` : ''}${(e as Error).message}`, {
        field: extract ? 'source' : 'files',
        details: { code },
      });
    }
  };
  const source: string[] = [];
  for (const s of o.source) source.push(isUploadRef(s) ? await fetch(s, o.source.length === 1) : s);
  const files = o.files && isUploadRef(o.files) ? await fetch(o.files, false) : o.files;
  return { ...o, source, files };
}

export const hasUploads = (o: { source: string[]; files?: string | null }) =>
  o.source.some(isUploadRef) || (!!o.files && isUploadRef(o.files));

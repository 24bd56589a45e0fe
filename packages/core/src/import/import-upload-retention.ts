/**
 * The lifecycle of exports uploaded through POST /imports/uploads (import-upload.ts): a city migrating a hundred
 * sites would otherwise fill its bucket with GB-size dumps nobody needs after the import is published.
 *
 * An upload is kept while any run of its site that refers to it can still read it: a run not in a final state.
 * PLANNING to APPLYING read the source (a resumed job reads it again from the start), PLANNED does once committed,
 * and IN_REVIEW is kept too: the reviewers may ask for a re-run of the same upload (a changed `map`, say) before
 * they publish, and nothing is lost by waiting for their decision. Once every such run is PUBLISHED, CANCELLED or
 * FAILED the upload has done its work and goes (at once when the last run gets there, else in the daily job). An
 * upload no run has used since it was (last) uploaded goes after IMPORT_UPLOAD_RETENTION_DAYS.
 *
 * A plan nobody commits would keep its upload for ever: a run planned only (commit: false) that refers to an upload
 * and has stayed PLANNED for longer than IMPORT_UPLOAD_RETENTION_DAYS is expired by the daily job first — CANCELLED,
 * its reason in `error`, audited `import.expire` — and its upload then goes like any finished run's. Marked rather
 * than silently ignored: the run's page says why, and commitImport refuses it (INVALID_IMPORT_STATE with that reason)
 * instead of handing the worker a source that is gone. Each expiry is a conditional update of the run's row, so a
 * commitImport holding the row FOR UPDATE either comes first (the run is no longer a stale plan) or is refused.
 *
 * Safe across worker instances: each upload is deleted in its own transaction holding its register row FOR UPDATE,
 * re-deciding after the lock is taken; startImport holds the row FOR SHARE while it writes a run (holdUploads), and
 * an upload renews the row before it puts the object. Deleting twice is harmless: the second finds no row, and the
 * storage deletes a missing object without error. Every deletion is in the site's audit chain.
 */
import { appendAudit } from '../audit/audit.service.ts';
import type { Ctx } from '../shared/context.ts';
import { uploadShas } from './import-upload.ts';

export interface ImportUploadRetention {
  /** An upload no run has used since it was uploaded is kept this many days. */
  days: number;
}

export const defaultImportUploadRetention: ImportUploadRetention = { days: 7 };

/** Why an upload was deleted. */
export type UploadPurgeReason = 'RUNS_FINISHED' | 'RETENTION';

const FINAL = "('PUBLISHED', 'CANCELLED', 'FAILED')";
const DAY = 86_400_000;
const BATCH = 200;

/** Runs of `u`'s site whose source or files refer to the upload `u` (options as startImport wrote them). */
const REFERS = `r.site_id = u.site_id and (
    r.options ->> 'files' like ('upload:' || u.sha256 || '/%')
    or exists (select 1 from jsonb_array_elements_text(
         case when jsonb_typeof(r.options -> 'source') = 'array' then r.options -> 'source' else '[]'::jsonb end) s(v)
       where s.v like ('upload:' || u.sha256 || '/%')))`;

/**
 * Why `u` may go, or null: no unfinished run refers to it, and either a run created since its last upload has
 * finished with it, or it is older than the cutoff.
 */
const REASON = `case
    when exists (select 1 from import_run r where ${REFERS} and r.state not in ${FINAL}) then null
    when exists (select 1 from import_run r where ${REFERS} and r.state in ${FINAL} and r.created_at >= u.uploaded_at)
      then 'RUNS_FINISHED'
    when u.uploaded_at < ? then 'RETENTION'
  end`;

/** Runs that refer to an upload (options as startImport wrote them). */
const USES_UPLOAD = `(r.options ->> 'files' like 'upload:%'
    or exists (select 1 from jsonb_array_elements_text(
         case when jsonb_typeof(r.options -> 'source') = 'array' then r.options -> 'source' else '[]'::jsonb end) s(v)
       where s.v like 'upload:%'))`;

/** A plan left uncommitted since before the cutoff, holding an upload. */
const STALE_PLAN = `r.state = 'PLANNED' and r.options ->> 'commit' = 'false' and r.updated_at < ? and ${USES_UPLOAD}`;

/** Cancels the stale plans (see above), each in its own transaction with its audit record; how many. */
async function expireStalePlans(ctx: Ctx, cutoff: Date, days: number): Promise<number> {
  const stale = await ctx.em.execute<{ id: string; site_id: string }[]>(
    `select r.id, r.site_id from import_run r where ${STALE_PLAN} order by r.updated_at`,
    [cutoff],
  );
  const reason = `planned and not committed within ${days} days (IMPORT_UPLOAD_RETENTION_DAYS): plan it again`;
  let expired = 0;
  for (const run of stale) {
    const done = await ctx.em.transactional(async (tx) => {
      const now = ctx.now();
      // Re-decided on the locked row: a commit (or a cancel) that got there first leaves nothing to expire.
      const [hit] = await tx.execute<{ id: string }[]>(
        `update import_run r set state = 'CANCELLED', error = ?, finished_at = ?, updated_at = ?
          where r.id = ? and ${STALE_PLAN} returning r.id`,
        [reason, now, now, run.id, cutoff],
      );
      if (!hit) return false;
      await appendAudit(tx, ctx, {
        siteId: run.site_id,
        action: 'import.expire',
        targetType: 'ImportRun',
        targetId: run.id,
        changes: { state: ['PLANNED', 'CANCELLED'], reason },
      });
      return true;
    });
    if (done) expired += 1;
  }
  return expired;
}

export interface ImportUploadPurge {
  /** Plans left uncommitted past the retention, cancelled first (their uploads then go as RUNS_FINISHED). */
  expiredPlans: number;
  /** Uploads deleted whose runs had all finished. */
  runsFinished: number;
  /** Uploads deleted because no run used them within the retention. */
  retention: number;
  /** Their total size in bytes. */
  bytes: number;
}

/**
 * Deletes one upload if it may go, holding its register row; null when it must stay or is already gone. The
 * object is deleted last inside the transaction: if that fails the row stays and the next purge tries again.
 */
async function purgeOne(
  ctx: Ctx,
  siteId: string,
  sha256: string,
  cutoff: Date,
): Promise<{ reason: UploadPurgeReason; size: number } | null> {
  if (!ctx.importer) throw new Error('import port not configured');
  const storage = ctx.importer.uploads;
  return ctx.em.transactional(async (tx) => {
    const [held] = await tx.execute<{ name: string; size: string }[]>(
      'select name, size from import_upload where site_id = ? and sha256 = ? for update',
      [siteId, sha256],
    );
    if (!held) return null;
    // A statement of its own, after the lock: it sees a run committed while this purge waited for the row.
    const [decided] = await tx.execute<{ reason: UploadPurgeReason | null }[]>(
      `select ${REASON} as reason from import_upload u where u.site_id = ? and u.sha256 = ?`,
      [cutoff, siteId, sha256],
    );
    const reason = decided?.reason ?? null;
    if (!reason) return null;
    const size = Number(held.size);
    await tx.execute('delete from import_upload where site_id = ? and sha256 = ?', [siteId, sha256]);
    await appendAudit(tx, ctx, {
      siteId,
      action: 'import.upload.purge',
      targetType: 'ImportUpload',
      targetId: sha256,
      changes: { name: held.name, size, reason },
    });
    await storage.delete(siteId, sha256);
    return { reason, size };
  });
}

/**
 * The worker's daily `purge-import-uploads` job: every upload of every site that may go (see above). Walks the
 * register in key order, a batch at a time, so an upload kept by a race is not read again in the same run.
 */
export async function purgeImportUploads(
  ctx: Ctx,
  retention: ImportUploadRetention = defaultImportUploadRetention,
): Promise<ImportUploadPurge> {
  await ctx.directory.fresh();
  const cutoff = new Date(ctx.now().getTime() - retention.days * DAY);
  const result: ImportUploadPurge = { expiredPlans: 0, runsFinished: 0, retention: 0, bytes: 0 };
  result.expiredPlans = await expireStalePlans(ctx, cutoff, retention.days);
  let after: { siteId: string; sha256: string } | null = null;
  for (;;) {
    const page: { site_id: string; sha256: string }[] = await ctx.em.execute(
      `select u.site_id, u.sha256 from import_upload u
        where ${after ? '(u.site_id, u.sha256) > (?, ?) and' : ''} (${REASON}) is not null
        order by u.site_id, u.sha256 limit ?`,
      [...(after ? [after.siteId, after.sha256] : []), cutoff, BATCH],
    );
    for (const u of page) {
      const done = await purgeOne(ctx, u.site_id, u.sha256, cutoff);
      if (done?.reason === 'RUNS_FINISHED') result.runsFinished += 1;
      if (done?.reason === 'RETENTION') result.retention += 1;
      result.bytes += done?.size ?? 0;
    }
    if (page.length < BATCH) return result;
    const last = page[page.length - 1]!;
    after = { siteId: last.site_id, sha256: last.sha256 };
  }
}

/**
 * Right after a run reached a final state (published, cancelled, failed): deletes the uploads it referred to that
 * no other unfinished run needs. Best effort — the run's own change is already committed, and whatever this does
 * not get to (a storage hiccup) the daily job does.
 */
export async function releaseRunUploads(
  ctx: Ctx,
  run: { siteId: string; options: Record<string, unknown> },
): Promise<number> {
  let deleted = 0;
  for (const sha256 of uploadShas(run.options)) {
    try {
      // The epoch as the cutoff: only "its runs have finished" deletes here, never the retention.
      if (await purgeOne(ctx, run.siteId, sha256, new Date(0))) deleted += 1;
    } catch {
      // Left for the daily purge-import-uploads job.
    }
  }
  return deleted;
}

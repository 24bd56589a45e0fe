/**
 * A run's staged records carry the whole legacy record (bodies included) as `payload`: a 1 GB export leaves about as
 * much in import_record. They are read while the run is planned, staged, applied and published (the publication
 * turns their old paths into the redirect map), never after: re-runs compare with the items' own source hashes, the
 * report and its content hash live on the run. So once a run has been final (PUBLISHED, CANCELLED, FAILED) for
 * IMPORT_STAGING_RETENTION_DAYS, its payloads are cleared and its old-path keys (import_old_path) deleted. The rows
 * stay — kind, source id, content hash, outcome, warnings, item — as the record of what each legacy record became;
 * a SKIPPED record keeps its small payload (title and reason).
 *
 * In slices by seq, each its own statement: memory and transactions stay small however large the run, and a
 * second worker doing the same at the same time only finds less to clear.
 */
import type { Ctx } from '../shared/context.ts';

export interface ImportStagingRetention {
  /** Days a final run's staged payloads are kept. */
  days: number;
}
export const defaultImportStagingRetention: ImportStagingRetention = { days: 30 };

const DAY = 86_400_000;
const SLICE = 5_000;

export interface ImportStagingPurge {
  /** Runs whose staging was cleared. */
  runs: number;
  /** Staged records whose payload was cleared. */
  records: number;
}

export async function purgeImportStaging(
  ctx: Ctx,
  retention: ImportStagingRetention = defaultImportStagingRetention,
): Promise<ImportStagingPurge> {
  await ctx.directory.fresh();
  const cutoff = new Date(ctx.now().getTime() - retention.days * DAY);
  // A cleared run is marked (staging_cleared_at, migration 0029): later days do not read its records again.
  const runs = await ctx.em.execute<{ id: string; last: number }[]>(
    `select r.id, (select coalesce(max(seq), 0) from import_record x where x.run_id = r.id) as last
       from import_run r
      where r.state in ('PUBLISHED', 'CANCELLED', 'FAILED') and r.updated_at < ? and r.staging_cleared_at is null`,
    [cutoff],
  );
  const result: ImportStagingPurge = { runs: 0, records: 0 };
  for (const run of runs) {
    for (let from = 0; from < run.last; from += SLICE) {
      const [row] = await ctx.em.execute<{ n: number }[]>(
        `with cleared as (update import_record set payload = null
            where run_id = ? and seq > ? and seq <= ? and kind <> 'SKIPPED' and payload is not null returning 1)
         select count(*)::int as n from cleared`,
        [run.id, from, from + SLICE],
      );
      result.records += row?.n ?? 0;
    }
    await ctx.em.execute('delete from import_old_path where run_id = ?', [run.id]);
    await ctx.em.execute('update import_run set staging_cleared_at = ? where id = ?', [ctx.now(), run.id]);
    result.runs += 1;
  }
  return result;
}

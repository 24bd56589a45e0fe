import { type Platform, queues } from '@zhanqun/adapters';
import {
  checkpointAuditChains,
  processMedia,
  publishDueItems,
  publishScheduled,
  purgeDeliveredSearchChanges,
  purgeExpiredSessions,
  purgeImportStaging,
  purgeImportUploads,
  purgePublicWriteState,
  purgeWebhookLog,
  sweepDisclosureDeadlines,
  sweepInteractionCompletions,
  runImport,
  unfinishedImportRuns,
  sweepLetterDeadlines,
} from '@zhanqun/core';
import type { PgBoss } from 'pg-boss';
import type { Logger } from './logger.ts';

export interface JobHooks {
  log: Logger;
  /** Called when a handler throws (metrics); pg-boss then retries the job up to the queue's retry limit. */
  onFailure?: (queue: string) => void;
}

/** Wraps a handler so that its failure is logged at error level, with the queue and the error, then rethrown. */
export function instrumented<T>(queue: string, hooks: JobHooks, handler: (jobs: T) => Promise<void>) {
  return async (jobs: T): Promise<void> => {
    try {
      await handler(jobs);
    } catch (err) {
      hooks.log.error({ err, queue }, 'job failed; pg-boss retries it up to the queue retry limit');
      hooks.onFailure?.(queue);
      throw err;
    }
  };
}

/** Registers the worker's queues, schedules and handlers. Handlers call the same use cases as the API. */
export async function registerJobs(boss: PgBoss, platform: Platform, hooks: JobHooks) {
  const { log } = hooks;
  if (!(await boss.getQueue(queues.maintenance))) await boss.createQueue(queues.maintenance, { retryLimit: 3 });
  // 03:17 China Standard Time, daily, off the hour when other jobs crowd in.
  await boss.schedule(queues.maintenance, '17 3 * * *', {}, { tz: 'Asia/Shanghai' });
  for (const q of [queues.publishItem, queues.publishDue, queues.processMedia])
    if (!(await boss.getQueue(q))) await boss.createQueue(q, { retryLimit: 5, retryBackoff: true });
  // Scheduled publication: the job fires at the time; the minute sweep catches anything a restart delayed.
  await boss.work<{ itemId: string }>(
    queues.publishItem,
    instrumented(queues.publishItem, hooks, async (jobs: { data: { itemId: string } }[]) => {
      for (const job of jobs) {
        const done = await publishScheduled(platform.systemCtx('job:publish-item'), job.data.itemId);
        log.info({ itemId: job.data.itemId, published: done }, 'scheduled publication');
      }
    }),
  );
  // Media (issue 8): renditions and text extraction run here, never in the API process (sharp/AVIF and pdf.js
  // are CPU-heavy); one job at a time per worker keeps memory bounded.
  await boss.work<{ mediaId: string }>(queues.processMedia, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      await platform.directory.fresh();
      const done = await processMedia(platform.systemCtx('job:process-media'), job.data.mediaId);
      log.info({ mediaId: job.data.mediaId, ...done }, 'media processed');
    }
  });
  // Imports (issue 11): one run at a time per worker; each batch commits on its own, so a retry (or the restart
  // sweep below) carries the run on from its last committed batch. Long runs: a job may take hours.
  if (!(await boss.getQueue(queues.runImport)))
    await boss.createQueue(queues.runImport, { retryLimit: 10, retryDelay: 30, expireInSeconds: 6 * 3600 });
  await boss.work<{ runId: string }>(
    queues.runImport,
    { batchSize: 1 },
    instrumented(queues.runImport, hooks, async (jobs: { data: { runId: string } }[]) => {
      for (const job of jobs) {
        const state = await runImport(platform.systemCtx('job:import'), job.data.runId, {
          onProgress: (p) => log.debug({ runId: job.data.runId, ...p }, 'import progress'),
        });
        log.info({ runId: job.data.runId, state }, 'import run');
      }
    }),
  );
  // A worker that died mid-run left its job active until it expires: carry unfinished runs on now.
  for (const runId of await unfinishedImportRuns(platform.systemCtx('job:import-resume')))
    await boss.send(queues.runImport, { runId });
  await boss.schedule(queues.publishDue, '* * * * *', {});
  await boss.work(
    queues.publishDue,
    instrumented(queues.publishDue, hooks, async () => {
      const n = await publishDueItems(platform.systemCtx('job:publish-due'));
      if (n > 0) log.info({ count: n }, 'published due items');
    }),
  );
  await boss.work(
    queues.maintenance,
    instrumented(queues.maintenance, hooks, async () => {
      await platform.directory.fresh();
      const ctx = platform.systemCtx('job:maintenance');
      const result = {
        ...(await purgeExpiredSessions(ctx)),
        searchChanges: await purgeDeliveredSearchChanges(ctx),
        ...(await purgePublicWriteState(ctx)),
      };
      log.info(result, 'maintenance done');
    }),
  );
  // The webhook delivery log and outbox, daily at 03:27 (after the maintenance job): retention in the config.
  if (!(await boss.getQueue(queues.purgeWebhookLog))) await boss.createQueue(queues.purgeWebhookLog, { retryLimit: 3 });
  await boss.schedule(queues.purgeWebhookLog, '27 3 * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(
    queues.purgeWebhookLog,
    instrumented(queues.purgeWebhookLog, hooks, async () => {
      const result = await purgeWebhookLogJob(platform);
      log.info(result, 'webhook log purged');
    }),
  );
  // Uploaded import exports, daily at 03:37 (after the webhook log): kept while a run can still read them
  // (docs/import.md#uploaded-exports). Each deletion is its own transaction, so two workers never clash.
  if (!(await boss.getQueue(queues.purgeImportUploads)))
    await boss.createQueue(queues.purgeImportUploads, { retryLimit: 3 });
  await boss.schedule(queues.purgeImportUploads, '37 3 * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(
    queues.purgeImportUploads,
    instrumented(queues.purgeImportUploads, hooks, async () => {
      const result = await purgeImportUploadsJob(platform);
      log.info(result, 'import uploads purged');
      const staging = await purgeImportStagingJob(platform);
      log.info(staging, 'import staging cleared');
    }),
  );
  // 2015 §4: letters' deadlines, reminders and escalations, hourly at minute 7.
  if (!(await boss.getQueue(queues.letterDeadlines))) await boss.createQueue(queues.letterDeadlines, { retryLimit: 3 });
  await boss.schedule(queues.letterDeadlines, '7 * * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(
    queues.letterDeadlines,
    instrumented(queues.letterDeadlines, hooks, async () => {
      const result = await sweepLetterDeadlines(platform.systemCtx('job:letter-deadlines'));
      if (result.reminded + result.escalated + result.deadlinesFilled > 0) log.info(result, 'letter deadlines');
    }),
  );
  // 条例 §33: disclosure requests' deadlines, reminders and escalations, hourly at minute 9 (after the letters').
  if (!(await boss.getQueue(queues.disclosureDeadlines)))
    await boss.createQueue(queues.disclosureDeadlines, { retryLimit: 3 });
  await boss.schedule(queues.disclosureDeadlines, '9 * * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(
    queues.disclosureDeadlines,
    instrumented(queues.disclosureDeadlines, hooks, async () => {
      const result = await sweepDisclosureDeadlines(platform.systemCtx('job:disclosure-deadlines'));
      if (result.reminded + result.escalated + result.deadlinesFilled > 0) log.info(result, 'disclosure deadlines');
    }),
  );
  // 2015 §4: interviews and surveys become done once their transcript or result is published, hourly at minute 11.
  if (!(await boss.getQueue(queues.interactionCompletion)))
    await boss.createQueue(queues.interactionCompletion, { retryLimit: 3 });
  await boss.schedule(queues.interactionCompletion, '11 * * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(
    queues.interactionCompletion,
    instrumented(queues.interactionCompletion, hooks, async () => {
      const result = await sweepInteractionCompletions(platform.systemCtx('job:interaction-completion'));
      if (result.interviews + result.surveys > 0) log.info(result, 'interaction completions');
    }),
  );
  if (!(await boss.getQueue(queues.auditCheckpoint)))
    await boss.createQueue(queues.auditCheckpoint, { retryLimit: 3, retryBackoff: true });
  await boss.schedule(queues.auditCheckpoint, '*/10 * * * *', {});
  await boss.work(
    queues.auditCheckpoint,
    instrumented(queues.auditCheckpoint, hooks, async () => {
      await anchorAuditChains(platform, log);
    }),
  );
}

/** The purge-webhook-log job: retention from WEBHOOK_LOG_RETENTION_DAYS and WEBHOOK_FAILED_LOG_RETENTION_DAYS. */
export function purgeWebhookLogJob(platform: Platform) {
  return purgeWebhookLog(platform.systemCtx('job:purge-webhook-log'), {
    days: platform.config.WEBHOOK_LOG_RETENTION_DAYS,
    failedDays: platform.config.WEBHOOK_FAILED_LOG_RETENTION_DAYS,
  });
}

/** The purge-import-uploads job: uploads no run used are kept IMPORT_UPLOAD_RETENTION_DAYS. */
export function purgeImportUploadsJob(platform: Platform) {
  return purgeImportUploads(platform.systemCtx('job:purge-import-uploads'), {
    days: platform.config.IMPORT_UPLOAD_RETENTION_DAYS,
  });
}

/** Staged payloads of runs final for IMPORT_STAGING_RETENTION_DAYS are cleared (same daily job as the uploads). */
export function purgeImportStagingJob(platform: Platform) {
  return purgeImportStaging(platform.systemCtx('job:purge-import-staging'), {
    days: platform.config.IMPORT_STAGING_RETENTION_DAYS,
  });
}

/**
 * Anchors every audit chain that moved and writes each checkpoint to the log as one structured line: the log is
 * shipped off the database server, so a checkpoint survives even an owner who deletes records and checkpoints.
 */
export async function anchorAuditChains(platform: Platform, log: Pick<Logger, 'info'>) {
  const checkpoints = await checkpointAuditChains(platform.systemCtx('job:audit-checkpoint'));
  for (const c of checkpoints) {
    log.info(
      {
        event: 'audit.checkpoint',
        chain: c.siteId ?? 'platform',
        headSeq: c.headSeq,
        headHash: c.headHash,
        records: c.records,
        at: c.at.toISOString(),
      },
      'audit checkpoint',
    );
  }
  return checkpoints;
}

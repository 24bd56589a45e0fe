import { type Platform, queues } from '@zhanqun/adapters';
import {
  checkpointAuditChains,
  publishDueItems,
  publishScheduled,
  purgeDeliveredSearchChanges,
  purgeExpiredSessions,
} from '@zhanqun/core';
import type { PgBoss } from 'pg-boss';

/** Registers the worker's queues, schedules and handlers. Handlers call the same use cases as the API. */
export async function registerJobs(boss: PgBoss, platform: Platform, log: (msg: string, extra?: object) => void) {
  if (!(await boss.getQueue(queues.maintenance))) await boss.createQueue(queues.maintenance, { retryLimit: 3 });
  // 03:17 China Standard Time, daily, off the hour when other jobs crowd in.
  await boss.schedule(queues.maintenance, '17 3 * * *', {}, { tz: 'Asia/Shanghai' });
  for (const q of [queues.publishItem, queues.publishDue])
    if (!(await boss.getQueue(q))) await boss.createQueue(q, { retryLimit: 5, retryBackoff: true });
  // Scheduled publication: the job fires at the time; the minute sweep catches anything a restart delayed.
  await boss.work<{ itemId: string }>(queues.publishItem, async (jobs) => {
    for (const job of jobs) {
      const done = await publishScheduled(platform.systemCtx('job:publish-item'), job.data.itemId);
      log('scheduled publication', { itemId: job.data.itemId, published: done });
    }
  });
  await boss.schedule(queues.publishDue, '* * * * *', {});
  await boss.work(queues.publishDue, async () => {
    const n = await publishDueItems(platform.systemCtx('job:publish-due'));
    if (n > 0) log('published due items', { count: n });
  });
  if (!(await boss.getQueue(queues.auditCheckpoint)))
    await boss.createQueue(queues.auditCheckpoint, { retryLimit: 3, retryBackoff: true });
  await boss.schedule(queues.auditCheckpoint, '*/10 * * * *', {});
  await boss.work(queues.auditCheckpoint, () => anchorAuditChains(platform, log));
  await boss.work(queues.maintenance, async () => {
    await platform.directory.fresh();
    const ctx = platform.systemCtx('job:maintenance');
    const result = { ...(await purgeExpiredSessions(ctx)), searchChanges: await purgeDeliveredSearchChanges(ctx) };
    log('maintenance done', result);
  });
}

/**
 * Anchors every audit chain that moved and writes each checkpoint to the log as one structured line: the log is
 * shipped off the database server, so a checkpoint survives even an owner who deletes records and checkpoints.
 */
export async function anchorAuditChains(platform: Platform, log: (msg: string, extra?: object) => void) {
  const checkpoints = await checkpointAuditChains(platform.systemCtx('job:audit-checkpoint'));
  for (const c of checkpoints) {
    log('audit checkpoint', {
      event: 'audit.checkpoint',
      chain: c.siteId ?? 'platform',
      headSeq: c.headSeq,
      headHash: c.headHash,
      records: c.records,
      at: c.at.toISOString(),
    });
  }
  return checkpoints;
}

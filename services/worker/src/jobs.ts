import { type Platform, queues } from '@zhanqun/adapters';
import {
  processMedia,
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
  for (const q of [queues.publishItem, queues.publishDue, queues.processMedia])
    if (!(await boss.getQueue(q))) await boss.createQueue(q, { retryLimit: 5, retryBackoff: true });
  // Scheduled publication: the job fires at the time; the minute sweep catches anything a restart delayed.
  await boss.work<{ itemId: string }>(queues.publishItem, async (jobs) => {
    for (const job of jobs) {
      const done = await publishScheduled(platform.systemCtx('job:publish-item'), job.data.itemId);
      log('scheduled publication', { itemId: job.data.itemId, published: done });
    }
  });
  // Media (issue 8): renditions and text extraction run here, never in the API process (sharp/AVIF and pdf.js
  // are CPU-heavy); one job at a time per worker keeps memory bounded.
  await boss.work<{ mediaId: string }>(queues.processMedia, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      await platform.directory.fresh();
      const done = await processMedia(platform.systemCtx('job:process-media'), job.data.mediaId);
      log('media processed', { mediaId: job.data.mediaId, ...done });
    }
  });
  await boss.schedule(queues.publishDue, '* * * * *', {});
  await boss.work(queues.publishDue, async () => {
    const n = await publishDueItems(platform.systemCtx('job:publish-due'));
    if (n > 0) log('published due items', { count: n });
  });
  await boss.work(queues.maintenance, async () => {
    await platform.directory.fresh();
    const ctx = platform.systemCtx('job:maintenance');
    const result = { ...(await purgeExpiredSessions(ctx)), searchChanges: await purgeDeliveredSearchChanges(ctx) };
    log('maintenance done', result);
  });
}

import { type Platform, queues } from '@zhanqun/adapters';
import { publishDueItems, publishScheduled, purgeDeliveredSearchChanges, purgeExpiredSessions } from '@zhanqun/core';
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
  for (const q of [queues.publishItem, queues.publishDue])
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
      const result = { ...(await purgeExpiredSessions(ctx)), searchChanges: await purgeDeliveredSearchChanges(ctx) };
      log.info(result, 'maintenance done');
    }),
  );
}

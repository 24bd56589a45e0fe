import { type Platform, queues } from '@zhanqun/adapters';
import { purgeExpiredSessions } from '@zhanqun/core';
import type { PgBoss } from 'pg-boss';

/** Registers the worker's queues, schedules and handlers. Handlers call the same use cases as the API. */
export async function registerJobs(boss: PgBoss, platform: Platform, log: (msg: string, extra?: object) => void) {
  if (!(await boss.getQueue(queues.maintenance))) await boss.createQueue(queues.maintenance, { retryLimit: 3 });
  // 03:17 China Standard Time, daily, off the hour when other jobs crowd in.
  await boss.schedule(queues.maintenance, '17 3 * * *', {}, { tz: 'Asia/Shanghai' });
  await boss.work(queues.maintenance, async () => {
    const result = await purgeExpiredSessions(platform.systemCtx('job:maintenance'));
    log('maintenance done', result);
  });
}

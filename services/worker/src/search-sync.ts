import type { Platform } from '@zhanqun/adapters';
import { deliverSearchChanges } from '@zhanqun/core';
import type { Logger } from './logger.ts';

/**
 * Delivers search change records to Meilisearch: every `intervalMs` while there is work, backing off (up to 30 s)
 * while Meilisearch is unreachable. Nothing is lost meanwhile: the records stay in PostgreSQL until delivered.
 */
export function startSearchSync(
  platform: Platform,
  intervalMs: number,
  log: Pick<Logger, 'info' | 'warn'>,
  onFailure: () => void = () => {},
) {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let ensured = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      if (!ensured) {
        await platform.search.ensure();
        ensured = true;
      }
      const r = await deliverSearchChanges(platform.systemCtx('job:search-sync'), platform.search);
      if (failures > 0) log.info({ failures }, 'search index reachable again; catching up');
      failures = 0;
      if (r.processed > 0) log.info({ ...r }, 'search changes delivered');
      schedule(r.processed > 0 ? 0 : intervalMs);
    } catch (err) {
      failures += 1;
      onFailure();
      const wait = Math.min(30_000, intervalMs * 2 ** Math.min(failures, 6));
      if (failures === 1 || failures % 10 === 0)
        // warn, not error: nothing is lost (the records wait in PostgreSQL) and the loop retries on its own.
        log.warn({ failures, retryInMs: wait, err }, 'search delivery failed; will retry');
      schedule(wait);
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick();
    }, ms);
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

import type { Platform } from '@zhanqun/adapters';
import { deliverSearchChanges } from '@zhanqun/core';

/**
 * Delivers search change records to Meilisearch: every `intervalMs` while there is work, backing off (up to 30 s)
 * while Meilisearch is unreachable. Nothing is lost meanwhile: the records stay in PostgreSQL until delivered.
 */
export function startSearchSync(platform: Platform, intervalMs: number, log: (msg: string, extra?: object) => void) {
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
      if (failures > 0) log('search index reachable again; catching up', { failures });
      failures = 0;
      if (r.processed > 0) log('search changes delivered', { ...r });
      schedule(r.processed > 0 ? 0 : intervalMs);
    } catch (err) {
      failures += 1;
      const wait = Math.min(30_000, intervalMs * 2 ** Math.min(failures, 6));
      if (failures === 1 || failures % 10 === 0)
        log('search delivery failed; will retry', { failures, retryInMs: wait, err: String(err) });
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

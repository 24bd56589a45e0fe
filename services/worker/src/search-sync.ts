import { listen, type Platform } from '@zhanqun/adapters';
import { deliverSearchChanges } from '@zhanqun/core';
import type { Logger } from './logger.ts';

/**
 * Delivers search change records to Meilisearch: at once when a change commits (LISTEN zq_search_change, sent by a
 * trigger on the outbox at commit), again at once while there is work, and every `intervalMs` when idle — the poll
 * only backs up a lost notification. Backs off (up to 30 s) while Meilisearch is unreachable. Nothing is lost
 * meanwhile: the records stay in PostgreSQL until delivered.
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
  let busy = false;
  /** A notification arrived while a delivery ran: it may have missed that change, so run again right after. */
  let again = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    busy = true;
    again = false;
    try {
      if (!ensured) {
        await platform.search.ensure();
        ensured = true;
      }
      const r = await deliverSearchChanges(platform.systemCtx('job:search-sync'), platform.search);
      if (failures > 0) log.info({ failures }, 'search index reachable again; catching up');
      failures = 0;
      if (r.processed > 0) log.info({ ...r }, 'search changes delivered');
      schedule(r.processed > 0 || again ? 0 : intervalMs);
    } catch (err) {
      failures += 1;
      onFailure();
      const wait = Math.min(30_000, intervalMs * 2 ** Math.min(failures, 6));
      if (failures === 1 || failures % 10 === 0)
        // warn, not error: nothing is lost (the records wait in PostgreSQL) and the loop retries on its own.
        log.warn({ failures, retryInMs: wait, err }, 'search delivery failed; will retry');
      schedule(wait);
    } finally {
      busy = false;
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = tick();
    }, ms);
  };
  const wake = () => {
    if (stopped) return;
    if (busy) again = true;
    // While Meilisearch is down, the back-off decides; a notification must not turn it into a busy loop.
    else if (failures === 0) schedule(0);
  };
  const listener = listen(platform.config.DATABASE_URL, 'zq_search_change', wake, {
    onError: (err) => log.warn({ err }, 'search change notifications interrupted; polling meanwhile'),
  });
  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await listener.close();
      await running;
    },
  };
}

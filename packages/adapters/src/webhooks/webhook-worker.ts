import { deliverWebhook, dispatchWebhookEvents, type WebhookSender } from '@zhanqun/core';
import type { PgBoss } from 'pg-boss';
import { ensureWebhookQueue, queues } from '../jobs/boss.ts';
import { listen } from '../db/notifications.ts';
import type { Platform } from '../platform.ts';
import { webhookSender } from './webhook-sender.ts';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The worker side of webhooks: a dispatcher that turns outbox events into delivery jobs (woken at commit by
 * LISTEN zq_webhook_event, polling every WEBHOOK_DISPATCH_INTERVAL_MS as a backstop), and the pg-boss handler
 * that sends each one (pg-boss retries a failed attempt with exponential back-off). Used by the worker process
 * and by tests, which run it against a receiver on loopback.
 */
export async function startWebhookWork(
  boss: PgBoss,
  platform: Platform,
  log: Log,
  opts: { sender?: WebhookSender; pollingIntervalSeconds?: number; onFailure?: (queue: string) => void } = {},
): Promise<{ dispatchNow(): Promise<void>; stop(): Promise<void> }> {
  const { config } = platform;
  const sender =
    opts.sender ??
    webhookSender({ allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  await ensureWebhookQueue(boss, {
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryDelaySeconds: config.WEBHOOK_RETRY_DELAY_SECONDS,
  });
  const workerId = await boss.work<{ eventId: string; endpointId: string; manual?: boolean }>(
    queues.deliverWebhook,
    { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
    async ([job]) => {
      if (!job) return;
      try {
        const outcome = await deliverWebhook(platform.systemCtx('job:deliver-webhook'), sender, job.data);
        if (outcome === 'DISABLED') log.warn({ endpointId: job.data.endpointId }, 'webhook endpoint disabled');
      } catch (err) {
        // A failed attempt (logged in webhook_delivery); pg-boss retries it. Counted for /metrics.
        opts.onFailure?.(queues.deliverWebhook);
        throw err;
      }
    },
  );

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      for (;;) {
        const r = await dispatchWebhookEvents(platform.systemCtx('job:dispatch-webhooks'));
        if (r.events > 0) log.info(r, 'webhook events dispatched');
        if (r.events < 200) break;
      }
    } catch (err) {
      log.warn({ err }, 'webhook dispatch failed; will retry');
    }
  };
  const run = () => {
    running = running.then(tick);
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().then(schedule);
    }, config.WEBHOOK_DISPATCH_INTERVAL_MS);
  };
  const listener = listen(config.DATABASE_URL, 'zq_webhook_event', () => void run(), {
    onError: (err) => log.warn({ err }, 'webhook event notifications interrupted; polling meanwhile'),
  });
  void run().then(schedule);
  return {
    dispatchNow: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await listener.close();
      await running;
      await boss.offWork(queues.deliverWebhook, { id: workerId });
    },
  };
}

import { createBoss, createPlatform, startWebhookWork } from '@zhanqun/adapters';
import { configOrExit } from './env.ts';
import { registerJobs } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';
import { serveMetrics, workerMetrics } from './metrics.ts';
import { startSearchSync } from './search-sync.ts';

/** The worker process: pg-boss on the application role, scheduled maintenance, metrics, graceful shutdown. */
const config = configOrExit(process.env, (message, problems) =>
  createWorkerLogger('info').fatal({ problems }, message),
);
const log = createWorkerLogger(config.LOG_LEVEL);
const platform = await createPlatform(config);
const boss = createBoss(config.DATABASE_URL);
boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
await boss.start();
const metrics = workerMetrics(platform, boss, config.METRICS_CACHE_MS);
await registerJobs(boss, platform, { log, onFailure: (queue) => metrics.jobFailures.inc({ queue }) });
const searchSync = startSearchSync(platform, config.SEARCH_SYNC_INTERVAL_MS, log, () =>
  metrics.searchDeliveryFailures.inc(),
);
// Webhooks (issue 12): outbox → one pg-boss job per endpoint, signed POSTs retried with back-off.
const webhooks = await startWebhookWork(boss, platform, log, {
  onFailure: (queue) => metrics.jobFailures.inc({ queue }),
});
const metricsServer =
  config.METRICS_PORT > 0
    ? await serveMetrics(metrics.registry, {
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
        token: config.METRICS_TOKEN,
      }).catch((err: unknown) => {
        // A second worker on one host finds the port taken: it still works, only without its own /metrics.
        log.warn({ err, port: config.METRICS_PORT }, 'metrics not served');
        return null;
      })
    : null;
log.info({ metrics: metricsServer ? `${config.METRICS_HOST}:${metricsServer.port}` : 'off' }, 'worker started');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down');
  await metricsServer?.close();
  await searchSync.stop();
  await webhooks.stop();
  await boss.stop({ graceful: true, timeout: 10_000 });
  await platform.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

import { createBoss, createPlatform } from '@zhanqun/adapters';
import { configOrExit } from './env.ts';
import { registerJobs } from './jobs.ts';
import { startSearchSync } from './search-sync.ts';

/** The worker process: pg-boss on the application role, scheduled maintenance, graceful shutdown. */
const log = (msg: string, extra: object = {}) =>
  console.log(JSON.stringify({ level: 30, time: Date.now(), service: 'worker', msg, ...extra }));

const config = configOrExit();
const platform = await createPlatform(config);
const boss = createBoss(config.DATABASE_URL);
boss.on('error', (err) =>
  console.error(JSON.stringify({ level: 50, service: 'worker', msg: 'pg-boss error', err: String(err) })),
);
await boss.start();
await registerJobs(boss, platform, log);
const searchSync = startSearchSync(platform, config.SEARCH_SYNC_INTERVAL_MS, log);
log('worker started');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log('shutting down', { signal });
  await searchSync.stop();
  await boss.stop({ graceful: true, timeout: 10_000 });
  await platform.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

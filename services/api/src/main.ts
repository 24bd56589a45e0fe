import { ConfigError, createPlatform, loadConfig } from '@zhanqun/adapters';
import { buildApp } from './app.ts';

/** The API process: validated config, shared platform, HTTP server, graceful shutdown. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  const platform = await createPlatform(config);
  const app = await buildApp(platform);
  // Search settings are applied at start (idempotent); the API still starts if Meilisearch is not up yet.
  platform.search.ensure().catch((err) => app.log.warn({ err }, 'search index not ready; the worker will retry'));
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    await platform.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ host: config.HOST, port: config.PORT });
}

await main();

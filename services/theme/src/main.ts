/**
 * The reference theme's process: THEME_API_URL (the API, server side), THEME_PORT, THEME_HOST, THEME_PAGE_SIZE,
 * THEME_API_CACHE (0 turns the in-memory HTTP cache of API answers off), THEME_API_TOKEN (an API token: the API
 * then rate-limits the theme by it instead of by the theme's address).
 * Open a site by one of its host names: http://miyi.localhost:4100/ (*.localhost is loopback in browsers and curl).
 */
import { buildTheme } from './server.ts';

const apiUrl = process.env.THEME_API_URL ?? 'http://127.0.0.1:4000';
const port = Number(process.env.THEME_PORT ?? 4100);
const host = process.env.THEME_HOST ?? '127.0.0.1';
const { app } = await buildTheme({
  apiUrl,
  pageSize: Number(process.env.THEME_PAGE_SIZE ?? 10),
  apiCache: process.env.THEME_API_CACHE !== '0',
  apiToken: process.env.THEME_API_TOKEN || undefined,
  logger: process.env.NODE_ENV !== 'test' && process.env.THEME_LOG !== '0',
});
await app.listen({ port, host });
const close = () => void app.close().then(() => process.exit(0));
process.on('SIGINT', close);
process.on('SIGTERM', close);

export { type ApiClient, createApiClient } from './api.ts';
export { seedDemoContent } from './demo-content.ts';
export { DEMO_LETTERS, MAILBOX_PATH, postGraphql, seedDemoLetters } from './demo-letters.ts';
export { buildTheme, PAGE_CACHE, type ThemeOptions } from './server.ts';

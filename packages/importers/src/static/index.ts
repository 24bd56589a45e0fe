export { MAX_PAGE_BYTES, staticSiteAdapter } from './adapter.ts';
export { dateFromUrl, parseLegacyDate } from './dates.ts';

export { MAX_PAGE_BYTES, staticSiteAdapter } from './adapter.ts';

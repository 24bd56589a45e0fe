export * from './file-store.ts';
export { lookupCandidates, safeEntryPath, type UnsafeReason } from './paths.ts';
export * from './extract.ts';

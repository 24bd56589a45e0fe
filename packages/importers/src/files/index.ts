export * from './file-store.ts';
export * from './paths.ts';

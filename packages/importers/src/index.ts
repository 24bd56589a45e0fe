export * from './record.ts';
export * from './text/encoding.ts';
export * from './wxr/index.ts';

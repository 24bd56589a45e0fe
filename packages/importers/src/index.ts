export * from './record.ts';
export * from './text/encoding.ts';

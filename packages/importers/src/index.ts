export * from './files/index.ts';
export * from './record.ts';
export * from './static/index.ts';
export * from './text/encoding.ts';

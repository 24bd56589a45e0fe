export * from './record.ts';
export * from './text/encoding.ts';
export * from './sources.ts';
export { bundleAdapter } from './bundle/bundle.ts';
export { generateBundle } from './bundle/generate.ts';

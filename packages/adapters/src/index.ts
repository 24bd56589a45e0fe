export * from './config.ts';
export * from './db/migrate.ts';
export * from './db/orm.ts';
export * from './db/site-directory-loader.ts';
export * from './platform.ts';
export * from './jobs/boss.ts';
export * from './search/meili-index.ts';
export * from './db/persisted-queries.ts';

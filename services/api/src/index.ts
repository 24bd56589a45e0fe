export { buildApp } from './app.ts';
export { printedSchema, loadTypeDefs } from './graphql/schema.ts';
export { rootFieldAccess } from './graphql/access.ts';

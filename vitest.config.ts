import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

const graphqlDir = dirname(createRequire(new URL('./services/api/package.json', import.meta.url)).resolve('graphql'));

/** Every workspace dir that holds tests; each becomes a Vitest project named after its last path segment. */
const projects = [
  'packages/core',
  'packages/adapters',
  'packages/importers',
  'packages/sdk',
  'services/api',
  'services/worker',
  'services/theme',
  'infra',
];

export default defineConfig({
  // graphql 16 ships CommonJS (main) and ESM (module) copies. Node — and mercurius — load the CommonJS one;
  // resolving the ESM one for our own imports would give two graphql realms ("Cannot use GraphQLNonNull from
  // another module or realm"). Resolve like Node does.
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: `${graphqlDir}/index.js` },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1.js` },
    ],
  },
  test: {
    // Forks, not threads: native modules (sharp, pg) and process-wide state (env, signal handlers) stay isolated.
    pool: 'forks',
    // The machines have 2 cores; every worker also holds database connections (max_connections = 100).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Runs once per run (not per project): PostgreSQL + migrated template, Meilisearch. See packages/testing.
    globalSetup: ['packages/testing/src/global-setup.ts'],
    projects: projects.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/').at(-1),
        include: [`${dir}/**/*.test.ts`],
        exclude: ['**/node_modules/**'],
      },
    })),
  },
});

/**
 * Writes the generated artefacts that are committed with the code (`pnpm generate`):
 *   docs/schema.graphql  the printed SDL of the GraphQL API
 *   docs/errors.md       the error catalogue (codes and reasons)
 *   packages/sdk/src/generated/graphql.ts  the SDK's typed operations (GraphQL Code Generator, from the schema)
 * With --check nothing is written: it lists the files that differ from what would be generated and exits 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printedSchema } from '../services/api/src/graphql/schema.ts';
import { renderErrorsDoc } from './render-errors-doc.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export const artefacts: { path: string; render: () => string | Promise<string> }[] = [
  { path: 'docs/schema.graphql', render: printedSchema },
  { path: 'docs/errors.md', render: () => renderErrorsDoc() },
  // After the schema (it reads docs/schema.graphql as just written).
  {
    path: 'packages/sdk/src/generated/graphql.ts',
    render: async () => {
      const { generatedFiles } = await import('../packages/sdk/codegen.ts');
      return (await generatedFiles())[0]!.content;
    },
  },
];

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const drifted: string[] = [];
  for (const { path, render } of artefacts) {
    const file = fileURLToPath(new URL(`../${path}`, import.meta.url));
    const wanted = await render();
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === wanted) continue;
    if (check) {
      drifted.push(relative(root, file));
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, wanted);
    console.log(`wrote ${relative(root, file)}`);
  }
  if (drifted.length > 0) {
    console.error(`generated files are out of date (run pnpm generate):\n${drifted.map((f) => `  ${f}`).join('\n')}`);
    return 1;
  }
  if (check) console.log('generated files are up to date');
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));

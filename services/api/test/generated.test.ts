import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../../../scripts/render-errors-doc.ts';
import { printedSchema } from '../src/graphql/schema.ts';

/** Generated artefacts are committed; this fails when they drift from their sources. */
const committed = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('generated artefacts', () => {
  it('docs/schema.graphql is the printed schema', () => {
    expect(committed('docs/schema.graphql'), 'run pnpm generate').toBe(printedSchema());
  });

  it('docs/errors.md is the rendered error catalogue', () => {
    expect(committed('docs/errors.md'), 'run pnpm generate').toBe(renderErrorsDoc());
  });
});

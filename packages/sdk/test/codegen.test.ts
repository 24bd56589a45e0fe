import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, generatedFiles } from '../codegen.ts';
import { isMutation } from '../src/client.ts';

describe('generated operations', () => {
  it('src/generated/graphql.ts is what GraphQL Code Generator makes from docs/schema.graphql now', async () => {
    const files = await generatedFiles();
    expect(files.map((f) => f.filename)).toEqual([GENERATED]);
    expect(readFileSync(GENERATED, 'utf8'), 'run pnpm generate').toBe(files[0]!.content);
  }, 60_000);
});

describe('operation kind (only reads are retried or sent by GET)', () => {
  it.each([
    ['{ me { user { email } } }', false],
    ['query Q { a }', false],
    ['mutation($e: String!) { login(email: $e) { accessToken } }', true],
    ['  # a comment with mutation\n query { search(query: "mutation") { id } }', false],
    ['fragment F on Item { id }\nmutation M { x { ...F } }', true],
    ['\n    mutation Login($email: String!) { login(email: $email) { accessToken } }\n', true],
    ['subscription S { s }', true],
  ])('%j → mutation: %s', (q, expected) => {
    expect(isMutation(q)).toBe(expected);
  });
});

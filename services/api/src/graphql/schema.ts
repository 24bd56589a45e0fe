import { readdirSync, readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema, printSchema } from 'graphql';

const dir = new URL('./schema/', import.meta.url);

/** The schema is written SDL-first, one file per feature; this is their concatenation. */
export function loadTypeDefs(): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'))
    .join('\n');
}

/** The printed SDL committed as docs/schema.graphql (CI fails when it drifts). */
export function printedSchema(): string {
  const schema: GraphQLSchema = buildSchema(loadTypeDefs());
  return `${printSchema(schema)}\n`;
}

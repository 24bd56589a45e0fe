import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';

/** Parses use-case input; the first problem becomes BAD_USER_INPUT naming the offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  throw new AppError('INVALID_INPUT', field ? `${field}: ${issue.message}` : issue.message, {
    field,
    details: { problems: result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
  });
}

/**
 * An optional input with a default that also applies to an explicit null: GraphQL clients send `null` for
 * arguments they leave unset as often as they leave them out.
 */
export function withDefault<S extends z.ZodType>(schema: S, fallback: z.output<S>) {
  return schema.nullish().transform((v) => (v ?? fallback) as z.output<S>);
}

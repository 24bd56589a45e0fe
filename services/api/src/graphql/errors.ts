import { errorKinds, isAppError } from '@zhanqun/core';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError } from 'graphql';

/**
 * Every error leaves with a stable `extensions.code` (docs/errors.md). Core errors carry their reason and
 * offending field; GraphQL's own validation errors are BAD_USER_INPUT; anything unexpected is INTERNAL with
 * its message hidden and the request id to quote.
 */
export function toGraphQLError(err: GraphQLError, log: FastifyBaseLogger, requestId: string): GraphQLError {
  const original = err.originalError;
  const base = { locations: err.locations, path: err.path };
  if (isAppError(original)) {
    return new GraphQLError(original.message, {
      ...base,
      extensions: {
        code: original.kind,
        reason: original.reason,
        ...(original.field ? { field: original.field } : {}),
        ...(original.details ? { details: original.details } : {}),
      },
    });
  }
  const status = (original as { statusCode?: number } | undefined)?.statusCode;
  if (status === 429) {
    return new GraphQLError(original!.message, {
      ...base,
      extensions: { code: 'RATE_LIMITED', reason: 'RATE_LIMITED' },
    });
  }
  const merCode = (original as { code?: string } | undefined)?.code ?? '';
  if (!original || original instanceof GraphQLError || merCode.startsWith('MER_ERR_GQL') || status === 400) {
    // Parse and validation errors, and bad variable values: the client's mistake.
    const ext = (original instanceof GraphQLError ? original.extensions : err.extensions) ?? {};
    const code = typeof ext.code === 'string' && ext.code in errorKinds ? ext.code : 'BAD_USER_INPUT';
    return new GraphQLError(err.message, {
      ...base,
      extensions: { ...ext, code, reason: ext.reason ?? 'INVALID_INPUT' },
    });
  }
  log.error({ err: loggableError(original), requestId }, 'unhandled error in resolver');
  return new GraphQLError('Internal error', {
    ...base,
    extensions: { code: 'INTERNAL', reason: 'INTERNAL', requestId },
  });
}

/** Mercurius wraps parse, validation and depth errors in one error that carries the GraphQL errors in `errors`. */
export function flattenErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((e) => {
    const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(inner)) return [e];
    return inner.map((x) =>
      x instanceof GraphQLError
        ? x
        : new GraphQLError(String((x as Error).message ?? x), { originalError: x as Error }),
    );
  });
}

/** Partial results are results (200, GraphQL over HTTP); otherwise the status is the first error's (docs/errors.md). */
export function statusFor(hasData: boolean, errors: GraphQLError[]): number {
  if (hasData) return 200;
  const code = String(errors[0]?.extensions.code);
  return code in errorKinds ? errorKinds[code as keyof typeof errorKinds].http : 200;
}

/** The seconds a RATE_LIMITED error asks the client to wait, when it says (throttled public writes). */
export function retryAfterOf(e: GraphQLError): number | null {
  if (e.extensions.code !== 'RATE_LIMITED') return null;
  const s = (e.extensions.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof s === 'number' && s > 0 ? s : null;
}

/**
 * What of an unexpected error may be logged. A database error's message, detail and statement quote the values
 * of the row (a letter's contact details are personal data: never in logs), so of those only the shape is kept:
 * type, SQLSTATE, constraint, table, column and the stack frames.
 */
export function loggableError(err: unknown): unknown {
  const e = (err ?? {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : typeof e.sqlState === 'string' ? e.sqlState : undefined;
  const fromDb = (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) || /Exception$/.test(name) || 'sql' in e;
  if (!fromDb) return err;
  const stack =
    typeof e.stack === 'string'
      ? e.stack
          .split('\n')
          .filter((l) => /^\s+at /.test(l))
          .join('\n')
      : undefined;
  return { type: name || 'DatabaseError', code, constraint: e.constraint, table: e.table, column: e.column, stack };
}

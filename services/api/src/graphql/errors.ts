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
  if (!original || original instanceof GraphQLError) {
    // Parse and validation errors, and bad variable values: the client's mistake.
    const code = (err.extensions?.code as string | undefined) ?? 'BAD_USER_INPUT';
    const known = code in errorKinds ? code : 'BAD_USER_INPUT';
    return new GraphQLError(err.message, { ...base, extensions: { code: known, reason: 'INVALID_INPUT' } });
  }
  log.error({ err: original, requestId }, 'unhandled error in resolver');
  return new GraphQLError('Internal error', { ...base, extensions: { code: 'INTERNAL', reason: 'INTERNAL', requestId } });
}

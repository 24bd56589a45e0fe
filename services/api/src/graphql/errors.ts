import { errorKinds, isAppError } from '@zhanqun/core';
import type { FastifyBaseLogger } from 'fastify';
import { type ExecutionResult, GraphQLError } from 'graphql';

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
  const edge = status ? edgeReasons[status] : undefined;
  if (edge) {
    // The HTTP layer refused the request (body too large, wrong media type, mutation over GET): the client's
    // mistake, answered with its own status and never logged as an error.
    return new GraphQLError(original!.message, { ...base, extensions: { code: 'BAD_USER_INPUT', reason: edge } });
  }
  const merCode = (original as { code?: string } | undefined)?.code ?? '';
  if (
    !original ||
    original instanceof GraphQLError ||
    merCode.startsWith('MER_ERR_GQL') ||
    (status !== undefined && status >= 400 && status < 500)
  ) {
    // Parse and validation errors, and bad variable values: the client's mistake.
    const ext = (original instanceof GraphQLError ? original.extensions : err.extensions) ?? {};
    const code = typeof ext.code === 'string' && ext.code in errorKinds ? ext.code : 'BAD_USER_INPUT';
    // graphql's parser gives up on a document with too many tokens (DOCUMENT_LIMITS.maxTokens).
    const reason =
      ext.reason ?? (/Document contains more th\w+ \d+ tokens/.test(err.message) ? 'QUERY_TOO_LARGE' : 'INVALID_INPUT');
    return new GraphQLError(err.message, {
      ...base,
      extensions: { ...ext, code, reason },
    });
  }
  log.error({ err: original, requestId }, 'unhandled error in resolver');
  return new GraphQLError('Internal error', {
    ...base,
    extensions: { code: 'INTERNAL', reason: 'INTERNAL', requestId },
  });
}

/** HTTP statuses of requests refused before GraphQL runs, and the catalogue reason each is reported with. */
const edgeReasons: Record<number, string> = {
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'REQUEST_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};
const edgeStatus = new Map(Object.entries(edgeReasons).map(([status, reason]) => [reason, Number(status)]));

/** Mercurius wraps parse, validation and depth errors in one error that carries the GraphQL errors in `errors`. */
export function flattenErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((e) => {
    const outer = e.originalError as { errors?: unknown; statusCode?: number; code?: string } | undefined;
    const inner = outer?.errors;
    if (!Array.isArray(inner)) return [e];
    return inner.map((x) =>
      x instanceof GraphQLError
        ? x
        : new GraphQLError(String((x as Error).message ?? x), {
            // A plain inner error (e.g. "mutation over GET") carries the wrapper's HTTP status and code.
            originalError: Object.assign(new Error(String((x as Error).message ?? x)), {
              statusCode: (x as { statusCode?: number }).statusCode ?? outer?.statusCode,
              code: (x as { code?: string }).code ?? outer?.code,
            }),
          }),
    );
  });
}

/** Partial results are results (200, GraphQL over HTTP); otherwise the status is the first error's (docs/errors.md). */
export function statusFor(hasData: boolean, errors: GraphQLError[]): number {
  if (hasData) return 200;
  const edge = edgeStatus.get(String(errors[0]?.extensions.reason));
  if (edge) return edge;
  const code = String(errors[0]?.extensions.code);
  return code in errorKinds ? errorKinds[code as keyof typeof errorKinds].http : 200;
}

/**
 * With `Accept: application/graphql-response+json` the statuses follow GraphQL over HTTP: a request error (the
 * operation never ran: parse, validation, variables, limits — no error has a path) is 4xx without a `data`
 * entry; once execution started the answer is 200, whatever the errors.
 */
export function graphqlResponseOf(
  data: ExecutionResult['data'],
  errors: GraphQLError[],
): { statusCode: number; response: ExecutionResult } {
  const requestError = data == null && errors.length > 0 && errors.every((e) => !e.path);
  if (requestError) return { statusCode: statusFor(false, errors), response: { errors } };
  return { statusCode: 200, response: { data: data ?? null, errors } };
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { statusFor, toGraphQLError } from '../graphql/errors.ts';

/**
 * The last line for every error that leaves a route, a hook or an error handler: Fastify's default handler
 * answers `{ statusCode, error, message }` with the raw message — for an unexpected failure that is an internal
 * detail (a connection string, SQL, a path). This root handler is what Fastify falls back to whenever a scoped
 * handler throws, and it is where that happened: Mercurius's error handler builds the GraphQL context again for
 * a request that failed before it had one; when that build failed too (the site directory's cache expired
 * mid-request and its reload failed), the second error reached Fastify's default handler.
 *
 * The same mapping as GraphQL errors (`toGraphQLError`): a core AppError keeps its code and reason, a client
 * mistake raised by the HTTP layer (4xx with a status) keeps its status, anything else is 500 INTERNAL with the
 * message hidden, the request id to quote, and the real error logged at error level. GraphQL requests get the
 * GraphQL shape; the REST edges their own `{ error: { code, reason, message } }`.
 */
export function maskInternalErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toGraphQLError(new GraphQLError(error.message, { originalError: error }), request.log, request.id);
    const status = statusFor(false, [mapped]);
    const { code, reason, requestId } = mapped.extensions as { code: string; reason?: string; requestId?: string };
    const httpStatus = status === 200 ? 500 : status;
    if (reply.sent) return;
    if ((request.routeOptions.url ?? request.url).startsWith('/graphql')) {
      return reply.code(httpStatus).send({ data: null, errors: [mapped.toJSON()] });
    }
    return reply
      .code(httpStatus)
      .send({ error: { code, reason, message: mapped.message, ...(requestId ? { requestId } : {}) } });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * GraphQL over HTTP (https://graphql.github.io/graphql-over-http/): what Mercurius leaves to the application.
 * - Accept negotiation: `application/graphql-response+json` when the client asks for it (then request errors —
 *   parse, validation, variables — answer 4xx without a `data` entry, and any executed operation answers 200);
 *   `application/json` (the default, also for a missing Accept or `*∕*`) keeps this API's historic statuses
 *   (docs/api.md); an Accept that allows neither is 406.
 * - A POST must be JSON (or `application/graphql`) in UTF-8: anything else is 415 before it is parsed.
 * - The request parameters are checked before Mercurius sees them: `query` a string, `variables` and
 *   `extensions` maps (or null), `operationName` a string (or null). A malformed request is 400, never a 500.
 * Checked by graphql-http's server audits (services/api/test/graphql-over-http.test.ts).
 */
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
export type ResponseMedia = 'json' | 'graphql-response';

declare module 'fastify' {
  interface FastifyRequest {
    /** The media type negotiated for this GraphQL response. */
    graphqlMedia?: ResponseMedia;
  }
}

const POST_TYPES = new Set(['application/json', 'application/graphql']);

/** The first acceptable media type we serve, honouring q-values; undefined when none is acceptable. */
export function negotiateMedia(accept: string | undefined): ResponseMedia | undefined {
  if (!accept?.trim()) return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.type === GRAPHQL_RESPONSE_JSON) return 'graphql-response';
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
  }
  return undefined;
}

function requestError(reply: FastifyReply, status: number, reason: string, message: string, field?: string) {
  const strict = reply.request.graphqlMedia === 'graphql-response';
  const errors = [{ message, extensions: { code: 'BAD_USER_INPUT', reason, ...(field ? { field } : {}) } }];
  // application/json keeps this API's historic shape ({ data: null, errors }); the spec'd type has no data entry.
  return reply
    .code(status)
    .header('content-type', `${strict ? GRAPHQL_RESPONSE_JSON : 'application/json'}; charset=utf-8`)
    .send(strict ? { errors } : { data: null, errors });
}

const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first problem with the GraphQL request parameters, or null. GET parameters arrive as strings. */
function paramProblem(method: string, raw: unknown): { field: string; message: string } | null {
  if (!isMap(raw)) return { field: 'body', message: 'The request body must be a JSON object' };
  const params = { ...(raw as Record<string, unknown>) };
  if (method === 'GET') {
    for (const key of ['variables', 'extensions']) {
      if (typeof params[key] !== 'string' || params[key] === '') continue;
      try {
        params[key] = JSON.parse(params[key] as string);
      } catch {
        return { field: key, message: `${key} must be a URL-encoded JSON object` };
      }
    }
  }
  // Automatic persisted queries (issue 12) send only the hash: the query may then be absent.
  const persisted = !!(params.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery;
  if (
    !(persisted && (params.query === undefined || params.query === '')) &&
    (typeof params.query !== 'string' || !params.query.trim())
  )
    return { field: 'query', message: 'query must be a non-empty string' };
  if (params.operationName != null && typeof params.operationName !== 'string')
    return { field: 'operationName', message: 'operationName must be a string' };
  for (const key of ['variables', 'extensions']) {
    if (params[key] != null && params[key] !== '' && !isMap(params[key]))
      return { field: key, message: `${key} must be a map (a JSON object) or null` };
  }
  return null;
}

export function graphqlOverHttp(app: FastifyInstance, path: string): void {
  const ours = (req: FastifyRequest) => req.routeOptions.url === path && req.method !== 'OPTIONS';

  app.addHook('onRequest', async (req, reply) => {
    if (!ours(req)) return;
    const media = negotiateMedia(req.headers.accept);
    req.graphqlMedia = media ?? 'json';
    if (!media)
      return requestError(reply, 406, 'NOT_ACCEPTABLE', `Accept ${GRAPHQL_RESPONSE_JSON} or application/json`);
    if (req.method !== 'POST') return;
    const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((x) => x.trim().toLowerCase());
    const charset = params.find((p) => p.startsWith('charset='))?.slice(8);
    if (!POST_TYPES.has(type) || (charset && charset !== 'utf-8' && charset !== 'utf8'))
      return requestError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request as application/json in UTF-8');
  });

  app.addHook('preValidation', async (req, reply) => {
    if (!ours(req)) return;
    const params = req.method === 'GET' ? req.query : req.body;
    const problem = paramProblem(req.method, params);
    if (problem) return requestError(reply, 400, 'INVALID_INPUT', problem.message, problem.field);
    // GraphQL over HTTP allows null for the optional parameters; Mercurius' body schema does not.
    const body = params as Record<string, unknown>;
    for (const key of ['variables', 'extensions', 'operationName']) if (body[key] === null) delete body[key];
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (!ours(req) || req.graphqlMedia !== 'graphql-response') return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/json')) reply.header('content-type', `${GRAPHQL_RESPONSE_JSON}; charset=utf-8`);
    return payload;
  });
}

import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { type Platform, persistedQueryStore, pgRateLimitStore } from '@zhanqun/adapters';
import { type Actor, type Column, type Ctx, isAppError, loadApiTokenActor, makeCtx } from '@zhanqun/core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import mercurius from 'mercurius';
import { guardRootFields } from './graphql/access.ts';
import { checkComplexity } from './graphql/complexity.ts';
import { DOCUMENT_LIMITS, documentLimitsRule } from './graphql/document-limits.ts';
import type { GqlContext } from './graphql/context.ts';
import { flattenErrors, graphqlResponseOf, retryAfterOf, statusFor, toGraphQLError } from './graphql/errors.ts';
import { resolvers } from './graphql/index.ts';
import { type LoaderMap, loaderResolvers } from './graphql/batch.ts';
import { loaders } from './graphql/loaders.ts';
import { loadTypeDefs } from './graphql/schema.ts';
import { JWT_AUDIENCE, JWT_ISSUER, resolveActor } from './plugins/auth.ts';
import { deliveryHttp, rateLimitKeys } from './plugins/delivery-http.ts';
import { maskInternalErrors } from './plugins/edge-errors.ts';
import { persistedQueries } from './graphql/persisted-queries.ts';
import { deliveryRoutes } from './routes/delivery.ts';
import { graphqlOverHttp } from './plugins/graphql-over-http.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { publicAnswers, tracedCtx } from './plugins/public-answers.ts';
import { healthRoutes } from './routes/health.ts';
import { importUploadRoutes } from './routes/import-uploads.ts';
import { mediaRoutes } from './routes/media.ts';
import { publicUploadRoutes } from './routes/public-uploads.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    /** The shared rate-limit counters (flush() adds local hits to PostgreSQL now; errors(): failed flushes). */
    rateLimitCounters: { flush(): Promise<void>; errors(): number };
  }
}

/** Each type's field resolvers with its loader fields added. */
function withLoaders(base: Record<string, unknown>, loaded: Record<string, Record<string, unknown>>) {
  const out: Record<string, unknown> = { ...base };
  for (const [type, fields] of Object.entries(loaded)) {
    out[type] = { ...((base[type] as Record<string, unknown> | undefined) ?? {}), ...fields };
  }
  return out;
}

export interface AppOptions {
  /** Fastify's logger: true/false or pino options. Tests pass false. */
  logger?: boolean | object;
  now?: () => Date;
}

/** The HTTP edge: auth → actor, one GraphQL endpoint for every site, health. No business rules live here. */
export async function buildApp(platform: Platform, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const now = opts.now ?? (() => new Date());
  const app = Fastify({
    logger: opts.logger ?? { level: config.LOG_LEVEL },
    trustProxy: config.TRUST_PROXY,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  });
  // First, at the root: every scope registered below falls back to it (never to Fastify's raw default).
  maskInternalErrors(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // Before deliveryHttp and compression: its onSend keeps the plain JSON an anonymous public read produced.
  const answers = publicAnswers(app, {
    reads: platform.publicReads,
    maxBytes: config.PUBLIC_ANSWERS_MB * 1024 * 1024,
    ttlMs: config.PUBLIC_ANSWERS_TTL_SECONDS * 1000,
  });
  await deliveryHttp(app, platform);
  // Counters shared by every API instance through PostgreSQL, flushed in batches (ADR 0020).
  // If PostgreSQL fails, the limit fails open to per-instance counting (docs/operations.md#rate-limits): public
  // reads must not stop because a counter could not be written. One warning a minute (a flush runs every second),
  // every failure counted in zhanqun_rate_limit_store_errors_total.
  let warnedAt = 0;
  const rateCounters = pgRateLimitStore(config.DATABASE_URL, {
    flushMs: config.RATE_LIMIT_FLUSH_MS,
    onError: (err) => {
      if (Date.now() - warnedAt < 60_000) return;
      warnedAt = Date.now();
      app.log.warn({ err }, 'rate-limit counters not shared (PostgreSQL); counting per instance meanwhile');
    },
  });
  app.addHook('onClose', () => rateCounters.close());
  app.decorate('rateLimitCounters', rateCounters);
  const limitKeys = rateLimitKeys((token) =>
    loadApiTokenActor(platform.orm.em.fork(), token, now()).then(
      () => true,
      () => false,
    ),
  );
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    store: rateCounters.Store as never,
    keyGenerator: limitKeys.key,
    // Thrown as an error with status 429; the GraphQL error formatter turns it into RATE_LIMITED.
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`Rate limit exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`), { statusCode: 429 }),
  });
  await app.register(fastifyJwt, {
    secret: config.jwtSecret,
    sign: { algorithm: 'HS256', iss: JWT_ISSUER, aud: JWT_AUDIENCE },
    verify: { algorithms: ['HS256'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE },
  });

  healthRoutes(app, platform);
  graphqlOverHttp(app, '/graphql');
  // Media uploads stream through; the size limit cuts a request off at MEDIA_MAX_BYTES (413).
  await app.register(multipart, {
    // Keep the name as sent, so core can refuse a path (MEDIA_NAME_INVALID) instead of busboy silently cutting it.
    preservePath: true,
    limits: { fileSize: config.MEDIA_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
  });

  /** One core context per request, for GraphQL and the REST edges alike. */
  const ctxFor = async (req: FastifyRequest, actor: Actor = req.actor ?? { kind: 'anonymous' }): Promise<Ctx> => {
    const ctx = makeCtx({
      actor,
      rootEm: platform.orm.em,
      directory: await platform.directory.fresh(),
      settings: platform.settings,
      now,
      requestId: req.id,
      clientAddress: req.ip,
      signAccessToken: (claims, ttl) => app.jwt.sign(claims, { expiresIn: ttl }),
      jobs: platform.jobs,
      search: platform.search,
      publicReads: platform.publicReads,
      html: platform.html,
      media: platform.media,
      importer: platform.importer,
      proofOfWork: platform.proofOfWork,
    });
    // A request that may be kept: its public reads report their versions, any other port spoils it.
    return req.answerTrace ? tracedCtx(ctx, platform.publicReads, req.answerTrace) : ctx;
  };
  mediaRoutes(app, platform, ctxFor);
  importUploadRoutes(app, platform, ctxFor);
  publicUploadRoutes(app, platform, ctxFor);
  deliveryRoutes(app, {
    ctxFor,
    actorFor: (req) => resolveActor(req, app.jwt, platform, now()),
  });

  // The actor is resolved before GraphQL (and the media edges) run; a bad credential answers 401.
  const AUTHENTICATED_ROUTES = new Set(['/graphql', '/media', '/media/:id/:variant', '/imports/uploads']);
  app.addHook('preHandler', async (req, reply) => {
    if (!AUTHENTICATED_ROUTES.has(req.routeOptions.url ?? '')) return;
    try {
      req.actor = await resolveActor(req, app.jwt, platform, now());
      if (req.actor.kind === 'apiToken') limitKeys.remember(req);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return reply
        .code(401)
        .send({ data: null, errors: [{ message: e.message, extensions: { code: e.kind, reason: e.reason } }] });
    }
  });
  // After the actor is known: an anonymous public read may be answered from a kept answer (ADR 0028).
  app.addHook('preHandler', answers.lookup);

  await app.register(mercurius, {
    schema: loadTypeDefs(),
    // Field loaders are batched resolvers of our own (graphql/batch.ts says why not Mercurius' `loaders`).
    resolvers: withLoaders(resolvers(), loaderResolvers(loaders as LoaderMap<GqlContext>)) as never,
    path: '/graphql',
    graphiql: config.graphiql,
    queryDepth: config.GRAPHQL_MAX_DEPTH,
    // A document asked a second time runs as compiled JavaScript (graphql-jit) instead of graphql-js's
    // interpreter: the cold public read path spends a large share of its CPU walking the same query shapes (ADR 0030).
    jit: 1,
    graphql: { parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens } },
    validationRules: [documentLimitsRule()],
    allowBatchedQueries: false,
    // Automatic persisted queries, stored in PostgreSQL (shared by every instance): GET-able by hash.
    persistedQueryProvider: persistedQueries(persistedQueryStore(platform.orm.em)),
    context: async (req): Promise<Partial<GqlContext>> => ({
      zq: await ctxFor(req, req.actor ?? { kind: 'anonymous' }),
      columnChildren: new WeakMap<Column, Column[]>(),
      hostSite: platform.directory.publicByHost(req.hostname)?.code ?? null,
    }),
    errorFormatter: (execution, ctx) => {
      // graphql-js answers { errors, data }, a compiled query (jit) { data, errors }; Mercurius writes the two back
      // onto this very object, so taking `data` out first gives both the interpreter's order: same bytes (ADR 0030).
      if ('data' in execution) {
        const { data } = execution;
        delete execution.data;
        execution.data = data;
      }
      const request = (ctx as unknown as GqlContext).reply?.request;
      const log = request?.log ?? app.log;
      const errors = flattenErrors(execution.errors ?? []).map((e) => toGraphQLError(e, log, request?.id ?? ''));
      // A throttled public write says when to come back (RFC 9110 §10.2.3).
      const retryAfter = errors.map((e) => retryAfterOf(e)).find((s) => s !== null);
      if (retryAfter) (ctx as unknown as GqlContext).reply?.header('retry-after', String(retryAfter));
      if (request?.graphqlMedia === 'graphql-response') return graphqlResponseOf(execution.data, errors);
      return { statusCode: statusFor(!!execution.data, errors), response: { data: execution.data ?? null, errors } };
    },
  });
  guardRootFields(app.graphql.schema);
  app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
    checkComplexity(schema, document, variables as Record<string, unknown>, config.GRAPHQL_MAX_COMPLEXITY);
    void context;
  });
  await app.register(metricsPlugin, { platform });
  return app;
}

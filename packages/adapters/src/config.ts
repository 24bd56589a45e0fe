import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * One validated schema over the environment, read once in each entry point (main.ts, the CLI, the launcher).
 * Every problem is listed at once; in production, missing secrets stop the start.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).describe('the application role (not superuser, not owner)'),
  DATABASE_MIGRATION_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .describe('the schema owner, for migrations; defaults to DATABASE_URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  MEILI_URL: z.url(),
  MEILI_MASTER_KEY: z.string().min(16).optional(),
  MEILI_PUBLIC_URL: z
    .url()
    .optional()
    .describe('the Meilisearch address browsers use (searchKey hands it out); defaults to MEILI_URL'),
  MEILI_INDEX_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{0,40}$/)
    .default('zhanqun_'),
  SEARCH_SYNONYMS_FILE: z.string().optional(),
  SEARCH_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).max(60000).default(500),
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(30),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(10).default(900),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(10).default(900),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(7).max(30).default(12),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(100).default(250000),
  GRAPHIQL: bool.optional(),
  SITE_DIRECTORY_TTL_MS: z.coerce.number().int().min(0).default(5000),
  // /metrics (docs/operations.md#metrics): with a token, callers must send it as a bearer; without one, only
  // loopback callers are answered. The worker serves its metrics on METRICS_HOST:METRICS_PORT (0: off).
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_CACHE_MS: z.coerce.number().int().min(0).max(60000).default(5000),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config extends RawConfig {
  databaseMigrationUrl: string;
  jwtSecret: string;
  graphiql: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Development-only fallback secret; production refuses to start without JWT_SECRET. */
const DEV_JWT_SECRET = 'zhanqun-development-secret-not-for-production-use';

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (parsed.success && parsed.data.NODE_ENV === 'production') {
    if (!parsed.data.JWT_SECRET) problems.push('JWT_SECRET: required in production (at least 32 characters)');
    if (!parsed.data.MEILI_MASTER_KEY) problems.push('MEILI_MASTER_KEY: required in production');
    if (parsed.data.GRAPHIQL) problems.push('GRAPHIQL: must not be enabled in production');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const c = parsed.data;
  return {
    ...c,
    databaseMigrationUrl: c.DATABASE_MIGRATION_URL ?? c.DATABASE_URL,
    jwtSecret: c.JWT_SECRET ?? DEV_JWT_SECRET,
    graphiql: c.GRAPHIQL ?? c.NODE_ENV === 'development',
  };
}

export function coreSettingsFrom(c: Config) {
  return {
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
    apiTokenMaxDays: 366,
    // A key of its own for preview links, so a preview token can never pass as an access token.
    previewSecret: createHmac('sha256', c.JWT_SECRET ?? DEV_JWT_SECRET)
      .update('zhanqun:preview')
      .digest('hex'),
    login: {
      maxFailures: c.LOGIN_MAX_FAILURES,
      windowSeconds: c.LOGIN_WINDOW_SECONDS,
      lockSeconds: c.LOGIN_LOCK_SECONDS,
    },
  };
}

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
  /** Requests per client (API token, else address) per window, counted across every API instance. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** The window of RATE_LIMIT_PER_MINUTE, in seconds (60 unless a test needs a window no test can straddle). */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  // Kept public answers (ADR 0028): per API instance, checked against the sites' content versions per request.
  PUBLIC_ANSWERS_MB: z.coerce
    .number()
    .min(0)
    .max(4096)
    .default(64)
    .describe('memory for kept anonymous public answers per API instance (0: off)'),
  PUBLIC_ANSWERS_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe('a kept answer is recomputed after this long even if its sites did not change'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(7).max(30).default(12),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(100).default(250000),
  GRAPHIQL: bool.optional(),
  SITE_DIRECTORY_TTL_MS: z.coerce.number().int().min(0).default(5000),
  // Media (issue 8): where files live, how large they may be, how much a site may store.
  MEDIA_STORAGE: z.enum(['local', 's3']).default('local'),
  MEDIA_DIR: z.string().default('.data/media').describe('the local storage root (MEDIA_STORAGE=local)'),
  // Issue 11: legacy sources given through the API must lie in this directory (the CLI reads any path).
  IMPORT_DIR: z.string().default('.data/import').describe('where legacy exports are put for GraphQL startImport'),
  // Exports uploaded through POST /imports/uploads (a whole site's dump or snapshot: larger than a media file).
  IMPORT_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024 * 1024),
  /** Days an uploaded export no import run has used is kept (the daily purge-import-uploads job; docs/import.md). */
  IMPORT_UPLOAD_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** Days a finished import run keeps its staged payloads (bodies) before the daily job clears them (docs/import.md). */
  IMPORT_STAGING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  MEDIA_TMP_DIR: z.string().optional().describe('uploads in progress and work files; defaults to the OS temp dir'),
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  MEDIA_MAX_PIXELS: z.coerce.number().int().min(1_000_000).default(50_000_000),
  MEDIA_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 1024 * 1024 * 1024),
  MEDIA_QUOTA_OVERRIDES: z
    .string()
    .regex(/^([a-z0-9-]+=\d+)?(,[a-z0-9-]+=\d+)*$/, 'site=bytes,site=bytes')
    .default(''),
  MEDIA_SIGNING_SECRET: z.string().min(32).optional(),
  MEDIA_SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  MEDIA_TEXT_WAIT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(120_000)
    .default(20_000)
    .describe(
      'how long a level-3 sign-off extracts a not-yet-read attachment itself before answering MEDIA_TEXT_PENDING',
    ),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  S3_PREFIX: z.string().default(''),
  // /metrics (docs/operations.md#metrics): with a token, callers must send it as a bearer; without one, only
  // loopback callers are answered. The worker serves its metrics on METRICS_HOST:METRICS_PORT (0: off).
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_CACHE_MS: z.coerce.number().int().min(0).max(60000).default(5000),
  // Public writes (leader mailbox letters, …): proof of work (ALTCHA) and throttling in PostgreSQL.
  ALTCHA_HMAC_SECRET: z.string().min(32).optional(),
  ALTCHA_COST: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  ALTCHA_MAX_COUNTER: z.coerce.number().int().min(2).max(10_000_000).default(5_000),
  ALTCHA_EXPIRES_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  PUBLIC_WRITE_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  PUBLIC_WRITE_PER_CONTACT: z.coerce.number().int().min(1).default(5),
  PUBLIC_WRITE_WINDOW_SECONDS: z.coerce.number().int().min(10).default(3600),
  // Webhooks (issue 12; docs/operations.md#webhooks). SSRF: loopback/private/link-local targets are refused
  // unless this switch is on — only for tests and the embedded development stack, never in production.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(10_000),
  /** Attempts per event and endpoint (pg-boss retries with exponential back-off in between). */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  /** First retry after this many seconds; each further retry waits about twice as long (capped at 1 h). */
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(20),
  WEBHOOK_SECRET_OVERLAP_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(24),
  /** How often the worker looks for undispatched events when no notification came (ms). */
  WEBHOOK_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** The daily purge keeps successful delivery attempts (and the events they delivered) this many days. */
  WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** …and failed attempts this many days: they are what a site admin investigates after the fact. */
  WEBHOOK_FAILED_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // Rate-limit counters shared through PostgreSQL: local hits are flushed at most this often (ms).
  RATE_LIMIT_FLUSH_MS: z.coerce.number().int().min(10).max(1000).default(1000),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config extends RawConfig {
  databaseMigrationUrl: string;
  jwtSecret: string;
  altchaSecret: string;
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
    if (!parsed.data.ALTCHA_HMAC_SECRET)
      problems.push('ALTCHA_HMAC_SECRET: required in production (at least 32 characters)');
    if (parsed.data.GRAPHIQL) problems.push('GRAPHIQL: must not be enabled in production');
    if (parsed.data.WEBHOOK_ALLOW_PRIVATE_TARGETS)
      problems.push('WEBHOOK_ALLOW_PRIVATE_TARGETS: must not be enabled in production (SSRF)');
  }
  if (parsed.success && parsed.data.MEDIA_STORAGE === 's3' && !parsed.data.S3_BUCKET)
    problems.push('S3_BUCKET: required when MEDIA_STORAGE=s3');
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const c = parsed.data;
  return {
    ...c,
    databaseMigrationUrl: c.DATABASE_MIGRATION_URL ?? c.DATABASE_URL,
    jwtSecret: c.JWT_SECRET ?? DEV_JWT_SECRET,
    altchaSecret: c.ALTCHA_HMAC_SECRET ?? `${DEV_JWT_SECRET}-altcha`,
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
    publicWrites: {
      perAddress: c.PUBLIC_WRITE_PER_ADDRESS,
      perContact: c.PUBLIC_WRITE_PER_CONTACT,
      windowSeconds: c.PUBLIC_WRITE_WINDOW_SECONDS,
    },
    webhooks: {
      allowPrivateTargets: c.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      disableAfterFailures: c.WEBHOOK_DISABLE_AFTER_FAILURES,
      rotationOverlapHours: c.WEBHOOK_SECRET_OVERLAP_HOURS,
    },
  };
}

/** The media settings core uses (limits, quota, signed URLs). */
export function mediaSettingsFrom(c: Config) {
  const overrides = Object.fromEntries(
    c.MEDIA_QUOTA_OVERRIDES.split(',')
      .filter(Boolean)
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k!, Number(v)]),
  );
  return {
    maxBytes: c.MEDIA_MAX_BYTES,
    maxPixels: c.MEDIA_MAX_PIXELS,
    quotaBytes: c.MEDIA_QUOTA_BYTES,
    quotaOverrides: overrides as Record<string, number>,
    // Without a secret of its own, signed URLs use a key derived from the JWT secret (never the secret itself).
    signingSecret:
      c.MEDIA_SIGNING_SECRET ?? createHmac('sha256', c.jwtSecret).update('zhanqun media urls').digest('hex'),
    signedUrlTtlSeconds: c.MEDIA_SIGNED_URL_TTL_SECONDS,
    textWaitMs: c.MEDIA_TEXT_WAIT_MS,
  };
}

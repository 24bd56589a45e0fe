import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEMO_PASSWORD } from '@zhanqun/core';
import { postGraphql } from '@zhanqun/theme';

/**
 * The reference theme's API token for `./dev start` (scope READ_PUBLISHED, of the demo county 米易县), so the
 * theme runs as in production (docs/operations.md: THEME_API_TOKEN): the API counts it by its token, not by the
 * loopback address every reader would share, and answers it `private, max-age=60`. Created through the API by
 * the site's admin on the first start and kept with the other local secrets (.data/secrets.json, mode 0600);
 * later starts re-use it while the API still accepts it and it is not about to expire.
 */
export interface StoredThemeToken {
  token: string;
  expiresAt: string;
}

const SITE = 'miyi';
/** Within the API's limit (apiTokenMaxDays, 366). */
const LIFETIME_DAYS = 365;
/** A token this close to expiry is replaced at start rather than left to fail mid-run. */
const RENEW_BEFORE_MS = 14 * 86_400_000;

type Gql = <T>(
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) => Promise<{ status: number; data?: T }>;

function client(apiUrl: string): Gql {
  return async <T>(query: string, variables: Record<string, unknown>, token?: string) => {
    const r = await postGraphql<T>(apiUrl, query, variables, token);
    if (r.status === 200 && r.errors?.length) throw new Error(`theme token: ${JSON.stringify(r.errors)}`);
    return { status: r.status, data: r.data };
  };
}

function readStored(secretsFile: string): StoredThemeToken | null {
  if (!existsSync(secretsFile)) return null;
  const stored = (JSON.parse(readFileSync(secretsFile, 'utf8')) as { themeApiToken?: StoredThemeToken }).themeApiToken;
  return stored && typeof stored.token === 'string' && typeof stored.expiresAt === 'string' ? stored : null;
}

/** Writes the token into the secrets file beside the other secrets, which stay as they are. */
function store(secretsFile: string, value: StoredThemeToken): void {
  const all = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(secretsFile, `${JSON.stringify({ ...all, themeApiToken: value }, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The stored token when the API still accepts it (a database started afresh, a revoked or expired token are
 * refused with 401), else a new one, stored. `created` says which.
 */
export async function ensureThemeToken(
  apiUrl: string,
  secretsFile: string,
  opts: { password?: string } = {},
): Promise<{ token: string; created: boolean }> {
  const gql = client(apiUrl);
  const now = new Date();
  const stored = readStored(secretsFile);
  if (stored && new Date(stored.expiresAt).getTime() - now.getTime() > RENEW_BEFORE_MS) {
    const probe = await gql('{ __typename }', {}, stored.token);
    if (probe.status === 200) return { token: stored.token, created: false };
  }
  const login = await gql<{ login: { accessToken: string } }>(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: `admin@${SITE}.zhanqun.local`, p: opts.password ?? DEMO_PASSWORD },
  );
  if (!login.data) throw new Error(`theme token: the demo site admin could not log in (HTTP ${login.status})`);
  const expiresAt = new Date(now.getTime() + LIFETIME_DAYS * 86_400_000).toISOString();
  const created = await gql<{ createApiToken: { token: string } }>(
    'mutation($e: DateTime!) { createApiToken(input: { site: "miyi", name: "参考主题（./dev start）", scopes: [READ_PUBLISHED], expiresAt: $e }) { token } }',
    { e: expiresAt },
    login.data.login.accessToken,
  );
  if (!created.data) throw new Error(`theme token: createApiToken failed (HTTP ${created.status})`);
  const token = created.data.createApiToken.token;
  store(secretsFile, { token, expiresAt });
  return { token, created: true };
}

/**
 * Our API as it ships: createPlatform + buildApp with the production configuration (app role under row-level
 * security, rate limit on, logging silent), listening on 127.0.0.1. Run by bench/run.ts in a child process.
 */
import { stripVTControlCharacters } from 'node:util';
import { createPlatform, loadConfig } from '../packages/adapters/src/index.ts';
import { buildApp } from '../services/api/src/app.ts';
import { serveAsChild } from './lib/child.ts';

export interface OursConfig {
  /** The environment loadConfig() reads (see Stack.apiEnv). */
  env: Record<string, string>;
}

export interface GqlRequest {
  query: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}

export async function startOurs(config: OursConfig): Promise<{ url: string; close(): Promise<void> }> {
  const platform = await createPlatform(loadConfig(config.env));
  const app = await buildApp(platform, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await platform.close();
    },
  };
}

export interface StatementCount {
  /** select / insert / update / delete / with statements. */
  data: number;
  /** The per-transaction BEGIN, set_config (row-level-security scope) and COMMIT. */
  scope: number;
  /** The statements themselves, for the curious (BENCH_VERBOSE=1 prints them). */
  sql: string[];
}

/** Same classification as services/api/test/query-count.test.ts. */
function classify(log: string[]): StatementCount {
  // The ORM logger colours its output.
  const sql = log
    .map((l) =>
      stripVTControlCharacters(l)
        .replace(/^\[query\]\s*/, '')
        .trim(),
    )
    .filter((s) => s !== '');
  const lower = sql.map((s) => s.toLowerCase());
  const scope = lower.filter(
    (s) => s.startsWith('begin') || s.startsWith('commit') || s.startsWith('select set_config'),
  );
  const data = lower.filter(
    (s) => /^(select|insert|update|delete|with)\b/.test(s) && !s.startsWith('select set_config'),
  );
  return { data: data.length, scope: scope.length, sql };
}

/**
 * SQL statements one request costs, counted through createPlatform's onQuery hook on a separate in-process
 * instance (the hook turns on the ORM's query logging, which would slow the measured server down). The first
 * request fills caches (site directory), so it is reported apart from the second, the steady state.
 */
export async function countStatements(
  config: OursConfig,
  request: GqlRequest,
): Promise<{ cold: StatementCount; warm: StatementCount; body: unknown; status: number }> {
  const log: string[] = [];
  const platform = await createPlatform(loadConfig(config.env), { onQuery: (sql) => log.push(sql) });
  const app = await buildApp(platform, { logger: false });
  try {
    const once = async () => {
      log.length = 0;
      const res = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', ...request.headers },
        payload: JSON.stringify({ query: request.query, variables: request.variables }),
      });
      return { status: res.statusCode, body: res.json() as unknown, stats: classify(log) };
    };
    const cold = await once();
    const warm = await once();
    return { cold: cold.stats, warm: warm.stats, body: warm.body, status: warm.status };
  } finally {
    await app.close();
    await platform.close();
  }
}

if (import.meta.main && process.send) serveAsChild(startOurs);

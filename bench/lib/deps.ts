/**
 * bench/ is not a workspace package, so bare imports of the server libraries would not resolve from here. The
 * bare floor must run on exactly the versions the API runs on, so they are resolved from services/api.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromApi = createRequire(new URL('../../services/api/package.json', import.meta.url));

async function load<T>(id: string): Promise<T> {
  const mod = (await import(pathToFileURL(fromApi.resolve(id)).href)) as { default?: T };
  return (mod.default ?? mod) as T;
}

/** The few pg surfaces the benchmark uses. */
export interface PgClient {
  query<R = Record<string, unknown>>(
    text: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
export interface PgPool extends PgClient {
  end(): Promise<void>;
}
export interface PgModule {
  Pool: new (opts: { connectionString: string; max?: number }) => PgPool;
}

// biome-ignore lint/suspicious/noExplicitAny: the libraries' own types do not resolve from bench/
type Any = any;

export const libs = {
  fastify: () => load<Any>('fastify'),
  mercurius: () => load<Any>('mercurius'),
  pg: () => load<PgModule>('pg'),
  /** Versions actually loaded, for the report. */
  versions(): Record<string, string> {
    const v = (id: string) => (fromApi(`${id}/package.json`) as { version: string }).version;
    return { fastify: v('fastify'), mercurius: v('mercurius'), graphql: v('graphql'), pg: v('pg') };
  },
};

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, loadConfig, type Platform } from '@zhanqun/adapters';
import {
  DEMO_PASSWORD,
  type DeliveryResult,
  type DemoLogin,
  deliverAllSearchChanges,
  seedDemoCity,
} from '@zhanqun/core';
import { createTestDatabase, type TestDatabase } from '@zhanqun/testing/vitest';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions: { code: string; reason?: string; field?: string };
  }[];
}

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  db: TestDatabase;
  logins: DemoLogin[];
  /** SQL statements seen since the last reset (only when started with countQueries). */
  queries: string[];
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T>>;
  /** Delivers pending search changes to Meilisearch now (the worker's job, run in the test). */
  syncSearch(): Promise<DeliveryResult>;
  /** Signs in and returns an access token. */
  tokenFor(email: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** POST /graphql on an app (in process), with an optional bearer token. */
export function gqlVia(app: FastifyInstance): TestApp['gql'] {
  return async (query, variables, token) => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: { query, variables },
    });
    const body = res.json();
    return { status: res.statusCode, data: body.data ?? null, errors: body.errors };
  };
}

/** A fresh database (cloned from the migrated template) with the demo city, and the app built on it. */
export async function startTestApp(
  opts: { countQueries?: boolean; env?: Record<string, string>; search?: boolean; now?: () => Date } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const queries: string[] = [];
  // Media files of this test database, removed with it.
  const mediaDir = join(tmpdir(), `zq-media-${db.name}`);
  const config = loadConfig({
    MEDIA_DIR: join(mediaDir, 'store'),
    MEDIA_TMP_DIR: join(mediaDir, 'tmp'),
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    // Public writes' proof of work at a low test difficulty (solved in tests with altcha-lib's solver).
    ALTCHA_COST: '1',
    ALTCHA_MAX_COUNTER: '20',
    // One search index per test database, so test files never see each other's documents.
    MEILI_INDEX_PREFIX: `${db.name}_`,
    ...opts.env,
  });
  const platform = await createPlatform(config, opts.countQueries ? { onQuery: (sql) => queries.push(sql) } : {});
  const logins = await seedDemoCity(platform.systemCtx('test:seed'));
  if (opts.search) await platform.search.ensure();
  const app = await buildApp(platform, { logger: process.env.TEST_LOG ? { level: 'error' } : false, now: opts.now });
  const tokens = new Map<string, string>();
  const t: TestApp = {
    app,
    platform,
    db,
    logins,
    queries,
    gql: gqlVia(app),
    syncSearch: () => deliverAllSearchChanges(platform.systemCtx('test:search-sync'), platform.search),
    async tokenFor(email, password = DEMO_PASSWORD) {
      const cached = tokens.get(email);
      if (cached && password === DEMO_PASSWORD) return cached;
      const r = await t.gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      );
      if (!r.data) throw new Error(`login ${email} failed: ${JSON.stringify(r.errors)}`);
      tokens.set(email, r.data.login.accessToken);
      return r.data.login.accessToken;
    },
    async close() {
      await app.close();
      if (opts.search)
        await platform.meili
          .deleteIndex(platform.search.indexUid)
          .waitTask()
          .catch(() => undefined);
      await platform.close();
      await db.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
  return t;
}

export const demo = {
  platformAdmin: 'admin@zhanqun.local',
  admin: (site: string) => `admin@${site}.zhanqun.local`,
  editor: (site: string) => `editor@${site}.zhanqun.local`,
  reviewer: (site: string) => `reviewer@${site}.zhanqun.local`,
  approver: (site: string) => `approver@${site}.zhanqun.local`,
  handler: (site: string) => `handler@${site}.zhanqun.local`,
};

/** The error code of the first error, for terse assertions. */
export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions.code ?? 'OK';
export const reasonOf = (r: GqlResult) => r.errors?.[0]?.extensions.reason ?? 'OK';

/** An item drafted by the site's editor (an article unless `input` says otherwise); returns its id. */
export async function createDraft(t: TestApp, site: string, input: Record<string, unknown>): Promise<string> {
  const created = await t.gql(
    'mutation($i: CreateItemInput!) { createItem(input: $i) { id } }',
    {
      i: { site, kind: 'ARTICLE', source: '测试来源', body: '<p>正文</p>', ...input },
    },
    await t.tokenFor(demo.editor(site)),
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  return created.data.createItem.id as string;
}

/** Drafts, submits and has three different people sign an item; returns its id (published). */
export async function publishItem(t: TestApp, site: string, input: Record<string, unknown>): Promise<string> {
  const editor = await t.tokenFor(demo.editor(site));
  const id = await createDraft(t, site, input);
  await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id }, editor);
  for (const who of [demo.editor(site), demo.reviewer(site), demo.approver(site)]) {
    const r = await t.gql(
      'mutation($id: ID!) { signOff(input: { id: $id }) { state } }',
      { id },
      await t.tokenFor(who),
    );
    if (!r.data) throw new Error(JSON.stringify(r.errors));
  }
  return id;
}

/**
 * A new user of `site` who is EDITOR only within one top-level column's subtree (a column-limited member,
 * e.g. a township's information clerk, 2015 §10), signed in: returns the access token.
 */
export async function columnLimitedEditor(
  t: TestApp,
  opts: { site: string; column: string; email: string; name: string; password: string },
): Promise<string> {
  const admin = await t.tokenFor(demo.admin(opts.site));
  const user = await t.gql(
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { email: opts.email, name: opts.name, password: opts.password, site: opts.site } },
    admin,
  );
  if (!user.data) throw new Error(JSON.stringify(user.errors));
  const cols = await t.gql(`{ site(code: "${opts.site}") { columns { id code } } }`, {}, admin);
  const column = cols.data!.site.columns.find((c: { code: string }) => c.code === opts.column);
  if (!column) throw new Error(`no top-level column ${opts.column} in ${opts.site}`);
  const member = await t.gql(
    'mutation($s: String!, $e: String!, $c: ID) { addMember(input: { site: $s, email: $e, roles: [EDITOR], columnId: $c }) { id } }',
    { s: opts.site, e: opts.email, c: column.id },
    admin,
  );
  if (!member.data) throw new Error(JSON.stringify(member.errors));
  return t.tokenFor(opts.email, opts.password);
}

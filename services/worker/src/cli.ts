import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, createPlatform, migrate } from '@zhanqun/adapters';
import {
  type Ctx,
  createUser,
  deliverAllSearchChanges,
  isAppError,
  provisionSite,
  reindexSearch,
  seedDemoCity,
} from '@zhanqun/core';
import { configOrExit } from './env.ts';
import { importCommands } from './import-cli.ts';

const usage = `zhanqun — operator commands (same use cases as the API; every change is audited)

  zhanqun migrate
  zhanqun user:create --email E --name N (--password P | --password-stdin) [--platform-admin] [--site CODE]
  zhanqun site:provision --code C --name N --kind CITY_PORTAL|COUNTY_PORTAL|DEPARTMENT [--parent CODE]
                         --site-id-code 5104000001 --credit-code 统一社会信用代码 [--organisation NAME]
                         --domain HOST [--domain HOST…]
                         --admin-email E [--admin-name N] [--admin-password P]
  zhanqun seed:demo
  zhanqun search:reindex          rebuild the public search index and swap it in
  zhanqun search:sync             deliver pending search changes now
  zhanqun import <source…> --site CODE [--into PATH] [--map FILE] [--files DIR|ZIP] [--system S]
                 [--label L] [--base-url URL…] [--commit] [--batch-size N]
                                  plan a legacy-site import (dry run); --commit runs it (docs/import.md)
  zhanqun import:resume RUN_ID    carry on a run after a crash
  zhanqun import:status RUN_ID

Configuration comes from the environment (docs/operations.md): DATABASE_URL, DATABASE_MIGRATION_URL, MEILI_URL…`;

type Out = { log: (line: string) => void; error: (line: string) => void };

async function withSystem<T>(config: Config, name: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const platform = await createPlatform(config);
  try {
    await platform.directory.fresh();
    return await fn(platform.systemCtx(name));
  } finally {
    await platform.close();
  }
}

const commands: Record<string, (args: string[], config: Config, out: Out) => Promise<unknown>> = {
  ...importCommands(withSystem),
  async migrate(_args, config, out) {
    const applied = await migrate(config.databaseMigrationUrl);
    out.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  },
  async 'user:create'(args, config, out) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'platform-admin': { type: 'boolean' },
        site: { type: 'string' },
      },
    });
    const password = values['password-stdin'] ? readFileSync(0, 'utf8').trim() : (values.password ?? '');
    const user = await withSystem(config, 'cli:user:create', (ctx) =>
      createUser(ctx, {
        email: values.email ?? '',
        name: values.name ?? '',
        password,
        platformAdmin: values['platform-admin'] ?? false,
        site: values.site,
      }),
    );
    out.log(`created user ${user.email} (${user.id})${user.platformAdmin ? ' as platform admin' : ''}`);
  },
  async 'site:provision'(args, config, out) {
    const { values } = parseArgs({
      args,
      options: {
        code: { type: 'string' },
        name: { type: 'string' },
        kind: { type: 'string' },
        parent: { type: 'string' },
        'site-id-code': { type: 'string' },
        domain: { type: 'string', multiple: true },
        'admin-email': { type: 'string' },
        'admin-name': { type: 'string' },
        organisation: { type: 'string' },
        'credit-code': { type: 'string' },
        'admin-password': { type: 'string' },
      },
    });
    const site = await withSystem(config, 'cli:site:provision', (ctx) =>
      provisionSite(ctx, {
        code: values.code ?? '',
        name: values.name ?? '',
        kind: values.kind ?? '',
        parentCode: values.parent,
        siteIdCode: values['site-id-code'] ?? '',
        organisation: { name: values.organisation ?? values.name ?? '', code: values['credit-code'] },
        domains: values.domain ?? [],
        admin: { email: values['admin-email'] ?? '', name: values['admin-name'], password: values['admin-password'] },
      }),
    );
    out.log(`provisioned site ${site.code} (${site.name}), status ${site.status}`);
  },
  async 'search:reindex'(_args, config, out) {
    const r = await withSystem(config, 'cli:search:reindex', (ctx) => reindexSearch(ctx));
    out.log(`reindexed ${r.documents} documents; ${r.replayed} change(s) made meanwhile queued again`);
  },
  async 'search:sync'(_args, config, out) {
    const r = await withSystem(config, 'cli:search:sync', (ctx) => deliverAllSearchChanges(ctx, ctx.search!));
    out.log(`delivered ${r.processed} change(s): ${r.upserted} indexed, ${r.removed} removed`);
  },
  async 'seed:demo'(_args, config, out) {
    const logins = await withSystem(config, 'cli:seed:demo', seedDemoCity);
    if (logins.length === 0) out.log('the demo city is already seeded');
    for (const l of logins)
      out.log(`${l.role.padEnd(15)} ${(l.site ?? '(platform)').padEnd(10)} ${l.email}  ${l.password}`);
  },
};

/** Runs one command; returns the exit code (0 ok, 1 refused by a rule, 2 usage, 78 configuration). */
export async function runCli(argv: string[], env = process.env, out: Out = console): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    out.error(usage);
    return name && name !== '--help' ? 2 : 0;
  }
  const config = configOrExit(env);
  try {
    // The import commands return their exit code; the others succeed when they return.
    const code = await command(args, config, out);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (isAppError(e)) {
      out.error(`error ${e.kind}/${e.reason}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
      return 1;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      out.error(`${e.message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) process.exit(await runCli(process.argv.slice(2)));

/**
 * One-command local start (`pnpm start`, `./dev start`): embedded PostgreSQL and Meilisearch unless
 * DATABASE_URL / MEILI_URL point elsewhere, migrations, the demo city on first run, then the API and the worker,
 * the demo city's published content and answered letters (through the API) and the reference theme
 * (services/theme), which calls the API with its own API token (created on the first start, kept in secrets.json).
 * State lives in .data/ at the repo root; delete it to start afresh.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { migrate } from '@zhanqun/adapters';
import {
  bootstrapDatabase,
  indexingBounds,
  isPortFree,
  preferredOrFreePort,
  startEmbeddedMeilisearch,
  startEmbeddedPostgres,
  stopChild,
} from '@zhanqun/testing';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../services/worker/src/node-flags.ts';
import { prefix, spawnService } from './children.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { supervise } from './supervise.ts';
import { ensureThemeToken } from './theme-token.ts';

interface DemoLogin {
  email: string;
  password: string;
  role: string;
  site: string | null;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = join(root, '.data');
const files = {
  secrets: join(dataDir, 'secrets.json'),
  logins: join(dataDir, 'demo-logins.json'),
  lock: join(dataDir, 'launcher.pid'),
  postgres: join(dataDir, 'postgres'),
  meili: join(dataDir, 'meilisearch'),
};
const env = process.env;
const say = (message: string) => console.log(`${prefix('dev')} ${message}`);

/** Stopped in reverse order of start: services first, then Meilisearch and PostgreSQL. */
const running: { name: string; stop: () => Promise<void> }[] = [];
let shuttingDown: Promise<never> | undefined;

function shutdown(code: number, reason: string): Promise<never> {
  shuttingDown ??= (async () => {
    say(`${reason}; stopping`);
    const services = running.filter((r) => r.name === 'api' || r.name === 'worker');
    await Promise.all(services.map((r) => r.stop().catch((e) => say(`stopping ${r.name}: ${e}`))));
    for (const r of running.filter((x) => !services.includes(x)).reverse()) {
      await r.stop().catch((e) => say(`stopping ${r.name}: ${e}`));
    }
    rmSync(files.lock, { force: true });
    say('stopped');
    process.exit(code);
  })();
  return shuttingDown;
}

/**
 * A server that dies under us is started again, at most 3 times in 10 minutes; after that (or when a restart
 * fails) everything stops with the reason. The API and the worker reconnect on their own (pooled connections
 * and HTTP clients), so a restart needs nothing from them.
 */
function watchServer(name: string, server: Parameters<typeof supervise>[1]): void {
  supervise(name, server, {
    maxRestarts: 3,
    windowMs: 10 * 60_000,
    say,
    giveUp: (reason) => {
      if (!shuttingDown) void shutdown(1, reason);
    },
  });
}

/** Two launchers on one .data/ would fight over the same clusters. */
function takeLock(): void {
  if (existsSync(files.lock)) {
    const pid = Number(readFileSync(files.lock, 'utf8'));
    let alive = false;
    try {
      // Alive and still a launcher (the pid may have been reused since a crash).
      alive = pid > 0 && pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.ts');
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`another launcher (pid ${pid}) is using ${dataDir}; stop it first`);
  }
  writeFileSync(files.lock, String(process.pid));
}

async function database(secrets: ReturnType<typeof loadOrCreateSecrets>['secrets'], secretsCreated: boolean) {
  if (env.DATABASE_URL) {
    const ownerUrl = env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
    const applied = await migrate(ownerUrl);
    say(`using DATABASE_URL; ${applied.length} migration(s) applied`);
    return { appUrl: env.DATABASE_URL, ownerUrl, where: 'DATABASE_URL' };
  }
  if (secretsCreated && existsSync(join(files.postgres, 'PG_VERSION'))) {
    // The cluster's superuser password was fixed when it was created and is now lost with the old secrets file.
    throw new Error(`${files.secrets} is new but ${files.postgres} is not: delete .data/ to start afresh`);
  }
  const pg = await startEmbeddedPostgres({
    dataDir: files.postgres,
    port: Number(env.PG_PORT ?? 54329),
    persistent: true,
    superuserPassword: secrets.pgSuperuserPassword,
    log: say,
  });
  running.push({ name: 'postgres', stop: pg.stop });
  watchServer('PostgreSQL', pg);
  const db = await bootstrapDatabase(pg.adminUrl, 'zhanqun', secrets);
  say(`PostgreSQL 18 on 127.0.0.1:${pg.port} (${pg.dataDir}); ${db.applied.length} migration(s) applied`);
  return { ...db, where: `127.0.0.1:${pg.port}` };
}

async function search(masterKey: string) {
  if (env.MEILI_URL) return { url: env.MEILI_URL, key: env.MEILI_MASTER_KEY ?? '' };
  const meili = await startEmbeddedMeilisearch({
    dataDir: files.meili,
    port: Number(env.MEILI_PORT ?? 7701),
    masterKey,
    log: say,
  });
  running.push({ name: 'meilisearch', stop: meili.stop });
  watchServer('Meilisearch', meili);
  const bounds = indexingBounds({});
  say(
    `Meilisearch 1.21 on ${meili.url} (${meili.dataDir}); indexing bounded to ${bounds.memory}, ` +
      `${bounds.threads} thread(s) (MEILI_MAX_INDEXING_MEMORY / MEILI_MAX_INDEXING_THREADS)`,
  );
  return { url: meili.url, key: masterKey };
}

/** PORT when given (it must be free); otherwise 4000, or any free port when 4000 is taken. */
async function apiPort(host: string): Promise<number> {
  if (env.PORT) {
    const port = Number(env.PORT);
    if (!(await isPortFree(port, host))) throw new Error(`PORT=${port} is already in use on ${host}`);
    return port;
  }
  const { port, moved } = await preferredOrFreePort(4000);
  if (moved) say(`port 4000 is taken; the API uses ${port}`);
  return port;
}

async function seed(childEnv: Record<string, string>): Promise<DemoLogin[]> {
  const { seedDemoCity } = await import('@zhanqun/worker');
  const created: DemoLogin[] = await seedDemoCity(childEnv);
  if (created.length > 0) {
    writeFileSync(files.logins, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
    say(`seeded the demo city (${created.length} log-ins, saved in ${files.logins})`);
    return created;
  }
  return existsSync(files.logins) ? (JSON.parse(readFileSync(files.logins, 'utf8')) as DemoLogin[]) : [];
}

function startService(
  name: string,
  entry: string,
  childEnv: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const child = spawnService(name, entry, root, childEnv, nodeFlags);
  running.push({ name, stop: () => stopChild(child) });
  child.once('exit', (code, signal) => {
    if (!shuttingDown) void shutdown(1, `${name} exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  return child;
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let last = ''; Date.now() < deadline; await delay(200)) {
    if (shuttingDown) await shuttingDown;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (e) {
      last = String((e as Error).cause ?? e);
    }
    if (Date.now() + 200 >= deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (${last})`);
  }
}

/** The theme's port: THEME_PORT, else 4100 or the next free one. */
async function themePort(host: string): Promise<number> {
  if (env.THEME_PORT) {
    const port = Number(env.THEME_PORT);
    if (!(await isPortFree(port, host))) throw new Error(`THEME_PORT=${port} is already in use on ${host}`);
    return port;
  }
  const { port, moved } = await preferredOrFreePort(4100);
  if (moved) say(`port 4100 is taken; the theme uses ${port}`);
  return port;
}

function banner(publicBase: string, logins: DemoLogin[], themeBase: string | null): void {
  const seconds = process.uptime().toFixed(1);
  const lines = [
    '',
    `Zhanqun is running (ready ${seconds} s after start).`,
    `  GraphQL   ${publicBase}/graphql`,
    `  GraphiQL  ${publicBase}/graphiql`,
  ];
  if (themeBase) {
    // *.localhost names resolve to loopback in browsers and curl: each is one of the demo sites' domains.
    lines.push('  Theme (the demo city by host name):');
    for (const [code, name] of [
      ['miyi', '米易县人民政府'],
      ['panzhihua', '攀枝花市人民政府'],
      ['edu', '攀枝花市教育局'],
    ])
      lines.push(`    ${themeBase.replace('//127.0.0.1', `//${code}.localhost`)}/  ${name}`);
  }
  if (logins.length > 0) {
    const width = Math.max(...logins.map((l) => l.email.length));
    lines.push('  Demo log-ins:');
    for (const l of logins)
      lines.push(`    ${l.email.padEnd(width)}  ${l.password}  ${l.role}${l.site ? ` @ ${l.site}` : ''}`);
  } else {
    lines.push(`  Demo log-ins: none recorded (${files.logins} is missing; see docs/operations.md)`);
  }
  lines.push('Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0, 'SIGINT received'));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM received'));
  mkdirSync(dataDir, { recursive: true });
  takeLock();
  const { secrets, created } = loadOrCreateSecrets(files.secrets);
  if (created) say(`generated local secrets in ${files.secrets}`);

  const [db, meili] = await Promise.all([database(secrets, created), search(secrets.meiliMasterKey)]);
  const host = env.HOST ?? '127.0.0.1';
  const port = await apiPort(host);
  const childEnv: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>),
    NODE_ENV: 'development',
    HOST: host,
    PORT: String(port),
    DATABASE_URL: db.appUrl,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    MEILI_URL: meili.url,
    MEILI_MASTER_KEY: meili.key,
    JWT_SECRET: env.JWT_SECRET ?? secrets.jwtSecret,
    // Uploaded files (media), shared by the API and the worker.
    MEDIA_DIR: env.MEDIA_DIR ?? join(dataDir, 'media'),
    // The embedded stack runs on one machine: webhooks may target a receiver on loopback (never in production).
    WEBHOOK_ALLOW_PRIVATE_TARGETS: env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? 'true',
  };
  const logins = await seed(childEnv);
  // The operator CLI (`./dev zhanqun …`) reads these to reach the same embedded services.
  const cliKeys = ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'MEILI_URL', 'MEILI_MASTER_KEY', 'JWT_SECRET'];
  writeFileSync(join(dataDir, 'runtime.env'), cliKeys.map((k) => `${k}=${childEnv[k]}`).join('\n') + '\n', {
    mode: 0o600,
  });

  startService('api', 'services/api/src/main.ts', childEnv);
  // The worker as it runs everywhere else: its heap flags and two malloc arenas (issue 11; ADR 0015, ADR 0032).
  startService('worker', 'services/worker/src/main.ts', { ...WORKER_ENV, ...childEnv }, WORKER_NODE_FLAGS);
  // A wildcard bind address is reachable on loopback; that is the URL to print and to poll.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const base = `http://${reachable}:${port}`;
  await waitUntilReady(`${base}/ready`, 120_000);
  // Published content for the demo city (idempotent): drafted and signed through the API like staff would.
  const { seedDemoContent } = await import('@zhanqun/theme');
  if (await seedDemoContent(base))
    say('published the demo content of 米易县 (news, notices, a policy document and its interpretation)');
  // Answered letters of 县长信箱 (idempotent), through the public door and the handler's use cases.
  const { seedDemoLetters } = await import('@zhanqun/theme');
  const letters = await seedDemoLetters(base);
  if (letters > 0) say(`published the replies of ${letters} answered letters in 米易县's 县长信箱`);
  // The theme calls the API with its own token, as in production (THEME_API_TOKEN; kept in secrets.json).
  const themeToken = env.THEME_API_TOKEN
    ? { token: env.THEME_API_TOKEN, created: false }
    : await ensureThemeToken(base, files.secrets).catch((e: unknown) => {
        say(`the theme runs without an API token: ${(e as Error).message}`);
        return null;
      });
  if (themeToken?.created) say(`created the theme's API token (READ_PUBLISHED, 米易县), kept in ${files.secrets}`);
  const tPort = await themePort(host);
  startService('theme', 'services/theme/src/main.ts', {
    ...childEnv,
    THEME_API_URL: base,
    THEME_PORT: String(tPort),
    THEME_HOST: host,
    ...(themeToken ? { THEME_API_TOKEN: themeToken.token } : {}),
  });
  const themeBase = `http://${reachable}:${tPort}`;
  await waitUntilReady(`${themeBase}/assets/theme.css`, 60_000);
  banner(base, logins, themeBase);
}

main().catch((e: unknown) => {
  if (shuttingDown) return;
  console.error(`${prefix('dev')} start failed:`, e);
  void shutdown(1, 'start failed');
});

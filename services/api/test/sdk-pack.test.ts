/**
 * @zhanqun/sdk is installable on its own (issue 12): `pnpm pack` builds it (compiled JS + .d.ts), the tarball is
 * installed into a directory outside the workspace (offline, from the package store: only its own dependencies),
 * then plain Node ESM imports it and renders a page from the running API, and a strict TypeScript consumer
 * type-checks against its declarations.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishItem, startTestApp, type TestApp } from './helpers.ts';

const sdkDir = fileURLToPath(new URL('../../../packages/sdk/', import.meta.url));
const rootDir = fileURLToPath(new URL('../../../', import.meta.url));
/** pnpm itself: the one running this test when started through pnpm, else the one on PATH. */
const pnpm = (args: string[], cwd: string) => {
  const execPath = process.env.npm_execpath;
  const [cmd, pre] = execPath?.includes('pnpm') ? [process.execPath, [execPath]] : ['pnpm', []];
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
};

let t: TestApp;
let url: string;
let work: string;

beforeAll(async () => {
  t = await startTestApp();
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'packed', title: '安装包测试' });
  work = mkdtempSync(join(tmpdir(), 'zq-sdk-consumer-'));
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('@zhanqun/sdk as an installed package', () => {
  it('packs, installs outside the workspace, and works from plain Node ESM and strict TypeScript', async () => {
    pnpm(['pack', '--pack-destination', work], sdkDir);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^zhanqun-sdk-\d+\.\d+\.\d+\.tgz$/);
    const store = pnpm(['store', 'path'], rootDir).trim();
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: 'theme-consumer',
        private: true,
        type: 'module',
        dependencies: { '@zhanqun/sdk': `file:./${tarball}` },
      }),
    );
    pnpm(['install', '--offline', '--ignore-workspace', '--store-dir', store], work);
    const pkg = join(work, 'node_modules', '@zhanqun', 'sdk');
    // Only the build and the readme are shipped; no sources, no tests, no workspace links.
    expect(readdirSync(pkg).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(existsSync(join(pkg, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    // No dependencies at all: nothing but the SDK was installed (and nothing of the workspace).
    const installed = readdirSync(join(work, 'node_modules', '.pnpm')).filter((d) => d.includes('@'));
    expect(installed).toHaveLength(1);
    expect(installed[0]).toMatch(/^@zhanqun\+sdk@/);

    writeFileSync(
      join(work, 'render.mjs'),
      `import { createClient } from '@zhanqun/sdk';
const client = createClient({ url: process.argv[2], persistedQueries: true });
const page = await client.route('miyi.localhost', '/zwdt/tzgg/packed.html');
console.log(JSON.stringify({ type: page.__typename, status: page.status, title: page.item.title, site: page.site.name }));
`,
    );
    // Asynchronously: the API answering it runs in this very process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['render.mjs', url], { cwd: work });
    expect(JSON.parse(out)).toEqual({ type: 'ItemPage', status: 200, title: '安装包测试', site: '米易县人民政府' });

    writeFileSync(
      join(work, 'theme.ts'),
      `import { createClient, type RoutePage, SearchDocument, ZhanqunError } from '@zhanqun/sdk';
const client = createClient({ url: 'http://127.0.0.1:1' });
export async function title(path: string): Promise<string> {
  const page: RoutePage = await client.route('miyi.localhost', path);
  if (page.__typename === 'ItemPage') return page.item.title;
  if (page.__typename === 'RedirectPage') return page.location;
  return String(page.status);
}
export async function hits(q: string): Promise<number> {
  const r = await client.request(SearchDocument, { query: q, first: 5 });
  return r.search.estimatedTotalHits;
}
export const isError = (e: unknown) => e instanceof ZhanqunError && e.code === 'NOT_FOUND';
`,
    );
    const tsc = createRequire(join(rootDir, 'package.json')).resolve('typescript/bin/tsc');
    const strict = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const common = [...strict, '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    execFileSync(process.execPath, [tsc, ...common, 'theme.ts'], { cwd: work, encoding: 'utf8' });
    // And a type error is one: the declarations really carry the operation types.
    writeFileSync(
      join(work, 'wrong.ts'),
      `import { createClient, SearchDocument } from '@zhanqun/sdk';
export const n = createClient({ url: 'x' }).request(SearchDocument, { query: 1 });
`,
    );
    const wrong = (() => {
      try {
        execFileSync(process.execPath, [tsc, ...common, 'wrong.ts'], { cwd: work, encoding: 'utf8', stdio: 'pipe' });
        return 'compiled';
      } catch (e) {
        return String((e as { stdout?: string }).stdout);
      }
    })();
    expect(wrong).toMatch(/wrong\.ts.*error TS2322.*not assignable to type 'string'/s);
  }, 180_000);
});

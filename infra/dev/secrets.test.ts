import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { loadOrCreateSecrets } from './secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-secrets-'));
afterEach(() => rmSync(join(dir, 'secrets.json'), { force: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('generates the secrets once, private to the user, and reuses them afterwards', () => {
  const file = join(dir, 'secrets.json');
  const first = loadOrCreateSecrets(file);
  expect(first.created).toBe(true);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(first.secrets.jwtSecret.length).toBeGreaterThanOrEqual(32);
  expect(Buffer.byteLength(first.secrets.meiliMasterKey)).toBeGreaterThanOrEqual(16);
  expect(new Set(Object.values(first.secrets)).size).toBe(5);
  expect(loadOrCreateSecrets(file)).toEqual({ secrets: first.secrets, created: false });
});

it('refuses a secrets file with missing entries rather than silently regenerating them', () => {
  const file = join(dir, 'secrets.json');
  writeFileSync(file, JSON.stringify({ jwtSecret: 'x'.repeat(40) }));
  expect(() => loadOrCreateSecrets(file)).toThrow(/lacks pgSuperuserPassword/);
});

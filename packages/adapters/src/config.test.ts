import { describe, expect, it } from 'vitest';
import { ConfigError, coreSettingsFrom, loadConfig } from './config.ts';

const base = { DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/zhanqun', MEILI_URL: 'http://127.0.0.1:7700' };

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('loadConfig', () => {
  it('fills defaults and derives the migration URL', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      PORT: 4000,
      graphiql: true,
      databaseMigrationUrl: base.DATABASE_URL,
    });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses loopback webhook targets in production, and allows no private targets by default', () => {
    expect(loadConfig(base).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(false);
    const problems = problemsOf({ ...base, NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    expect(problems).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS: must not be enabled in production (SSRF)');
    expect(coreSettingsFrom(loadConfig({ ...base, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' })).webhooks).toEqual({
      allowPrivateTargets: true,
      disableAfterFailures: 20,
      rotationOverlapHours: 24,
    });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://x', PORT: 'abc', MEILI_URL: 'not a url' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'MEILI_URL']));
  });

  it('refuses to start in production without its secrets, and without GraphiQL', () => {
    const problems = problemsOf({ ...base, NODE_ENV: 'production', GRAPHIQL: 'true' });
    expect(problems).toEqual([
      'JWT_SECRET: required in production (at least 32 characters)',
      'MEILI_MASTER_KEY: required in production',
      'ALTCHA_HMAC_SECRET: required in production (at least 32 characters)',
      'GRAPHIQL: must not be enabled in production',
    ]);
    const ok = loadConfig({
      ...base,
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      MEILI_MASTER_KEY: 'k'.repeat(20),
      ALTCHA_HMAC_SECRET: 'a'.repeat(40),
    });
    expect(ok.graphiql).toBe(false);
  });
});

/** Issue 7 part B: the worker anchors every audit chain that moved and writes each checkpoint to its log. */
import { createPlatform, loadConfig, type Platform } from '@zhanqun/adapters';
import { seedDemoCity } from '@zhanqun/core';
import { createTestDatabase, type TestDatabase } from '@zhanqun/testing/vitest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anchorAuditChains } from './jobs.ts';

let db: TestDatabase;
let platform: Platform;

beforeAll(async () => {
  db = await createTestDatabase();
  platform = await createPlatform(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.appUrl,
      DATABASE_MIGRATION_URL: db.ownerUrl,
      MEILI_URL: inject('meiliUrl'),
      MEILI_MASTER_KEY: inject('meiliKey'),
      MEILI_INDEX_PREFIX: `${db.name}_`,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'silent',
    }),
  );
  await seedDemoCity(platform.systemCtx('test:seed'));
});
afterAll(async () => {
  await platform?.close();
  await db?.drop();
});

describe('the audit-checkpoint job', () => {
  it('logs one structured line per chain it anchors, and nothing when no chain moved', async () => {
    const lines: { msg: string; extra?: Record<string, unknown> }[] = [];
    const log = { info: (extra: object, msg: string) => lines.push({ msg, extra: extra as Record<string, unknown> }) };
    const anchored = await anchorAuditChains(platform, log as never);
    expect(anchored.length).toBeGreaterThan(1); // the platform chain and every demo site's
    expect(lines).toHaveLength(anchored.length);
    const platformLine = lines.find((l) => l.extra?.chain === 'platform');
    expect(platformLine).toMatchObject({
      msg: 'audit checkpoint',
      extra: { event: 'audit.checkpoint', headSeq: expect.stringMatching(/^\d+$/), headHash: expect.any(String) },
    });
    lines.length = 0;
    expect(await anchorAuditChains(platform, log as never)).toEqual([]);
    expect(lines).toEqual([]);
  });
});

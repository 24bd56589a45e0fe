/**
 * Nothing is lost while Meilisearch is down: publishing still succeeds, the change records wait in PostgreSQL,
 * and the worker's delivery loop catches up once Meilisearch is back. Uses a Meilisearch process of its own (the
 * shared one serves other test files) and really stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from '@zhanqun/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishItem, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { createWorkerLogger } from './logger.ts';
import { startSearchSync } from './search-sync.ts';

const KEY = 'outage-test-master-key-0123456789';
let meili: EmbeddedMeilisearch;
let dir: string;
let t: TestApp;

const searchIds = async (q: string) => {
  const r = await t.gql(
    'query($q: String!) { search(query: $q, site: "panzhihua", scope: CLUSTER, first: 50) { edges { node { id } } } }',
    { q },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.search.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-meili-outage-'));
  meili = await startEmbeddedMeilisearch({ dataDir: dir, masterKey: KEY });
  t = await startTestApp({ search: true, env: { MEILI_URL: meili.url, MEILI_MASTER_KEY: KEY } });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await meili?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a Meilisearch outage', () => {
  it('loses nothing: publishing succeeds while it is down and everything is searchable once it is back', async () => {
    const before = await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '停机前发布的防汛工作通知' });
    expect((await t.syncSearch()).upserted).toBe(1);

    await meili.stop();
    const ready = await t.app.inject('/ready');
    expect([ready.statusCode, ready.json().checks]).toEqual([503, { postgres: true, meilisearch: false }]);
    // A load balancer asking only for PostgreSQL keeps the API in service: publishing does not need search.
    expect((await t.app.inject('/ready?checks=postgres')).statusCode).toBe(200);

    // Publishing does not depend on Meilisearch.
    const during = [
      await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '停机期间发布的防汛工作部署' }),
      await publishItem(t, 'edu', { column: '/tzgg', kind: 'NOTICE', title: '停机期间发布的防汛安全教育通知' }),
      await publishItem(t, 'panzhihua', { column: '/zwdt/yw', title: '停机期间发布的全市防汛会议' }),
    ];
    // Delivery fails and keeps its records for later.
    await expect(t.syncSearch()).rejects.toThrow();
    const c = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: t.db.adminUrl }));
    await c.connect();
    const pending = await c.query('select count(*)::int as n from search_change where processed_at is null');
    expect(pending.rows[0].n).toBe(3);

    // The worker's loop retries with back-off; once Meilisearch is back it catches up.
    // The worker's own pino logger, writing JSON lines into memory.
    const lines: { level: number; msg: string; err?: unknown }[] = [];
    const log = createWorkerLogger('info', { write: (l: string) => lines.push(JSON.parse(l)) });
    const logs = { includes: (level: number, msg: string) => lines.some((l) => l.level === level && l.msg === msg) };
    const loop = startSearchSync(t.platform, 100, log);
    try {
      await new Promise((r) => setTimeout(r, 500));
      // A failure that will be retried is a warning, with the error attached.
      expect(logs.includes(40, 'search delivery failed; will retry')).toBe(true);
      expect(lines.find((l) => l.level === 40)?.err).toBeDefined();
      await meili.restart();
      const found = await until('every item to be searchable', async () => {
        const ids = await searchIds('防汛');
        return [before, ...during].every((id) => ids.includes(id)) ? ids : undefined;
      });
      expect(found.sort()).toEqual([before, ...during].sort());
      // The records are marked delivered in the same transaction, right after Meilisearch accepted the documents.
      const left = await until('the change records to be marked delivered', async () => {
        const r = await c.query('select count(*)::int as n from search_change where processed_at is null');
        return r.rows[0].n === 0 ? 0 : undefined;
      });
      expect(left).toBe(0);
      expect(logs.includes(30, 'search index reachable again; catching up')).toBe(true);
    } finally {
      await loop.stop();
      await c.end();
    }
  });
});

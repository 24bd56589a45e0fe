/**
 * Issue 10, search freshness: a committed change wakes the delivery loop (LISTEN/NOTIFY from the outbox), so a
 * publication is searchable long before the loop's poll would have come round. The poll interval here is ten
 * minutes: only the notification can explain a delivery within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishItem, startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { createWorkerLogger } from './logger.ts';
import { startSearchSync } from './search-sync.ts';

let t: TestApp;

const searchIds = async (q: string) => {
  const r = await t.gql('query($q: String!) { search(query: $q, site: "miyi", first: 50) { edges { node { id } } } }', {
    q,
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.search.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startTestApp({ search: true });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('the search delivery loop', () => {
  it('wakes on a committed change instead of waiting for its poll', async () => {
    const logs: string[] = [];
    const log = createWorkerLogger('info', { write: (line: string) => void logs.push(JSON.parse(line).msg) });
    const loop = startSearchSync(t.platform, 600_000, log);
    try {
      // The first tick runs at once and drains whatever the seed left pending; after it the loop sleeps 10 min.
      await until('the first delivery', async () =>
        logs.length > 0 || (await pendingCount()) === 0 ? true : undefined,
      );
      const id = await publishItem(t, 'miyi', { column: '/zwdt/yw', title: '唤醒投递的防汛工作通知' });
      await until('the new item in search', async () =>
        (await searchIds('唤醒投递')).includes(id) ? true : undefined,
      );
      // The loop clears the change once Meilisearch confirms its task, a moment after the item is searchable.
      await until('the change cleared', async () => ((await pendingCount()) === 0 ? true : undefined));
    } finally {
      await loop.stop();
    }
  });
});

async function pendingCount(): Promise<number> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: t.db.adminUrl });
  await c.connect();
  try {
    const r = await c.query('select count(*)::int as n from search_change where processed_at is null');
    return r.rows[0].n;
  } finally {
    await c.end();
  }
}

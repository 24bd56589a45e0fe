/**
 * Issue 12 gap: the webhook delivery log and the outbox are purged by a daily pg-boss job. Successful attempts go
 * after WEBHOOK_LOG_RETENTION_DAYS, failed ones after WEBHOOK_FAILED_LOG_RETENTION_DAYS; an event goes only when
 * it is dispatched, past the retention and no kept attempt refers to it; pending events are never purged.
 */
import { randomUUID } from 'node:crypto';
import { createBoss, queues } from '@zhanqun/adapters';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../api/test/helpers.ts';
import { purgeWebhookLogJob, registerJobs } from './jobs.ts';
import { createWorkerLogger } from './logger.ts';

let t: TestApp;
let boss: PgBoss;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp({ env: { WEBHOOK_LOG_RETENTION_DAYS: '30', WEBHOOK_FAILED_LOG_RETENTION_DAYS: '90' } });
  boss = createBoss(t.db.appUrl);
  boss.on('error', () => {});
  await boss.start();
  await registerJobs(boss, t.platform, { log: createWorkerLogger('silent') });
}, 120_000);
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await t?.close();
});

/** Rows written as the worker would have written them, `age` days ago. */
async function seedLog() {
  const ctx = t.platform.systemCtx('test:webhook-log');
  const dir = await ctx.directory.fresh();
  const sites = { miyi: dir.byCode('miyi')!.id, edu: dir.byCode('edu')!.id };
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY);
  const endpoints = { miyi: randomUUID(), edu: randomUUID() };
  for (const [code, id] of Object.entries(endpoints))
    await ctx.em.execute(
      `insert into webhook_endpoint (id, site_id, url, description, events, secret, enabled, consecutive_failures,
         created_at, updated_at) values (?, ?, 'https://hooks.example.org/', '', '{item.published}', 'whsec_x', true, 0, now(), now())`,
      [id, sites[code as 'miyi' | 'edu']],
    );
  const event = async (site: 'miyi' | 'edu', days: number, dispatched = true) => {
    const id = randomUUID();
    await ctx.em.execute(
      `insert into webhook_event (id, site_id, type, payload, created_at, dispatched_at)
       values (?, ?, 'item.published', '{}'::jsonb, ?, ?)`,
      [id, sites[site], ago(days), dispatched ? ago(days) : null],
    );
    return id;
  };
  const delivery = async (site: 'miyi' | 'edu', eventId: string, status: 'SUCCEEDED' | 'FAILED', days: number) => {
    const id = randomUUID();
    await ctx.em.execute(
      `insert into webhook_delivery (id, site_id, endpoint_id, event_id, event_type, attempt, manual, status,
         response_status, duration_ms, created_at) values (?, ?, ?, ?, 'item.published', 1, false, ?, ?, 5, ?)`,
      [id, sites[site], endpoints[site], eventId, status, status === 'FAILED' ? 500 : 200, ago(days)],
    );
    return id;
  };
  const e = {
    oldOk: await event('miyi', 40),
    oldFailed: await event('miyi', 40),
    veryOldFailed: await event('edu', 100),
    pending: await event('miyi', 40, false),
    recent: await event('miyi', 5),
    mixed: await event('edu', 40),
  };
  const d = {
    oldOk: await delivery('miyi', e.oldOk, 'SUCCEEDED', 40),
    oldFailed: await delivery('miyi', e.oldFailed, 'FAILED', 40),
    veryOldFailed: await delivery('edu', e.veryOldFailed, 'FAILED', 100),
    recent: await delivery('miyi', e.recent, 'SUCCEEDED', 5),
    mixedOk: await delivery('edu', e.mixed, 'SUCCEEDED', 40),
    mixedFailed: await delivery('edu', e.mixed, 'FAILED', 40),
  };
  return { e, d };
}

async function present(table: 'webhook_event' | 'webhook_delivery', ids: string[]): Promise<Set<string>> {
  const rows = await t.platform
    .systemCtx('test:webhook-log')
    .em.execute<{ id: string }[]>(`select id from ${table} where id in (?)`, [ids]);
  return new Set(rows.map((r) => r.id));
}

describe('the webhook log retention', () => {
  it('is scheduled daily by the worker', async () => {
    const schedules = await boss.getSchedules();
    expect(schedules.find((s) => s.name === queues.purgeWebhookLog)).toMatchObject({
      cron: '27 3 * * *',
      options: expect.objectContaining({ tz: 'Asia/Shanghai' }),
    });
  });

  it('purges old successes after 30 days, failures after 90, and keeps pending and referenced events', async () => {
    const { e, d } = await seedLog();
    const purged = await purgeWebhookLogJob(t.platform);
    expect(purged.deliveries).toBeGreaterThanOrEqual(3);
    const deliveries = await present('webhook_delivery', Object.values(d));
    expect(deliveries).toEqual(new Set([d.oldFailed, d.recent, d.mixedFailed]));
    const events = await present('webhook_event', Object.values(e));
    // oldOk and veryOldFailed lost their last attempt; oldFailed and mixed keep a failed one (redeliverable).
    expect(events).toEqual(new Set([e.oldFailed, e.pending, e.recent, e.mixed]));
    // Nothing left to do: a second run deletes nothing.
    expect(await purgeWebhookLogJob(t.platform)).toEqual({ deliveries: 0, events: 0 });
  });

  it('runs as the purge-webhook-log job', async () => {
    const { e, d } = await seedLog();
    await boss.send(queues.purgeWebhookLog, {});
    await expect
      .poll(async () => (await present('webhook_delivery', [d.oldOk, d.veryOldFailed])).size, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(0);
    await expect.poll(async () => (await present('webhook_event', [e.oldOk])).size, { timeout: 30_000 }).toBe(0);
    expect((await present('webhook_delivery', [d.recent, d.oldFailed])).size).toBe(2);
  });
});

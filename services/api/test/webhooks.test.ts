/**
 * Webhooks (issue 12) end to end: a site admin adds an endpoint, a publication writes an outbox event in its own
 * transaction, the worker's dispatcher and pg-boss deliver it to a receiver on loopback, which verifies the
 * Standard Webhooks signature with the `standardwebhooks` library itself. Retries after a 500, manual
 * redelivery, the automatic disable after consecutive failures, and the outbox's transaction.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBoss, queues, startWebhookWork } from '@zhanqun/adapters';
import { AppError, AuditRecord, createWebhookEndpoint, makeCtx, recordWebhookEvent, WebhookEvent } from '@zhanqun/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, demo, publishItem, reasonOf, startTestApp, type TestApp } from './helpers.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let t: TestApp;
let boss: ReturnType<typeof createBoss>;
let work: Awaited<ReturnType<typeof startWebhookWork>>;
let receiver: Server;
let base: string;
let admin: string;
const received: Received[] = [];
/** Status codes to answer per path, in order; afterwards 200. */
const plan = new Map<string, number[]>();
const silent = { info: () => {}, warn: () => {} };

const at = (path: string) => received.filter((r) => r.path === path);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = plan.get(path)?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver broken');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await startTestApp({
    env: {
      // The tests talk to a receiver on loopback only: the switch the embedded default uses too.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_DELAY_SECONDS: '1',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      WEBHOOK_DISPATCH_INTERVAL_MS: '300',
      WEBHOOK_TIMEOUT_MS: '5000',
    },
  });
  boss = createBoss(t.db.appUrl, { supervise: true, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  work = await startWebhookWork(boss, t.platform, silent, { pollingIntervalSeconds: 0.5 });
  admin = await t.tokenFor(demo.admin('miyi'));
}, 120_000);

afterAll(async () => {
  await work?.stop();
  await boss?.stop({ graceful: false });
  await t?.close();
  receiver?.close();
});

async function addEndpoint(path: string, events: string[]) {
  const r = await t.gql(
    `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) {
       secret endpoint { id url events enabled } } }`,
    { i: { site: 'miyi', url: `${base}${path}`, events, description: path } },
    admin,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.createWebhookEndpoint as { secret: string; endpoint: { id: string; events: string[] } };
}

async function deliveries(endpointId: string) {
  const r = await t.gql(
    `query { webhookEndpoints(site: "miyi") { id enabled disabledReason consecutiveFailures
       deliveries(first: 20) { edges { node { id eventId eventType attempt manual status responseStatus durationMs responseBody error } } } } }`,
    {},
    admin,
  );
  expect(r.errors).toBeUndefined();
  const e = r.data!.webhookEndpoints.find((x: { id: string }) => x.id === endpointId);
  return { ...e, log: e.deliveries.edges.map((d: { node: unknown }) => d.node) } as {
    enabled: boolean;
    disabledReason: string | null;
    consecutiveFailures: number;
    log: {
      id: string;
      eventId: string;
      eventType: string;
      attempt: number;
      manual: boolean;
      status: string;
      responseStatus: number | null;
      durationMs: number;
      responseBody: string | null;
    }[];
  };
}

const poll = { timeout: 30_000, interval: 200 };

describe('webhooks', () => {
  let published: { id: string; secret: string; endpointId: string; webhookId: string };

  it('a publication fires a signed webhook that the receiver verifies with standardwebhooks', async () => {
    const { secret, endpoint } = await addEndpoint('/ok', ['item.published', 'item.withdrawn']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(endpoint.events).toEqual(['item.published', 'item.withdrawn']);
    const id = await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'hook-1', title: '钩子通知' });
    await expect.poll(() => at('/ok').length, poll).toBe(1);
    const msg = at('/ok')[0]!;
    // The receiver's side: the library verifies signature, id and timestamp (and throws on any mismatch).
    const payload = new Webhook(secret).verify(msg.body, msg.headers as Record<string, string>) as {
      type: string;
      data: { site: string; item: { id: string; title: string; slug: string } };
    };
    expect(payload.type).toBe('item.published');
    expect(payload.data.site).toBe('miyi');
    expect(payload.data.item).toMatchObject({ id, title: '钩子通知', slug: 'hook-1' });
    // A wrong secret, or a body changed in transit, does not verify.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(
        msg.body,
        msg.headers as Record<string, string>,
      ),
    ).toThrow();
    expect(() =>
      new Webhook(secret).verify(msg.body.replace('钩子通知', '假通知'), msg.headers as Record<string, string>),
    ).toThrow();
    // The worker writes the log line after the receiver has answered: wait for it rather than race it.
    await expect.poll(async () => (await deliveries(endpoint.id)).log.length, poll).toBe(1);
    const log = await deliveries(endpoint.id);
    expect(log.log[0]).toMatchObject({
      eventId: msg.headers['webhook-id'],
      eventType: 'item.published',
      attempt: 1,
      manual: false,
      status: 'SUCCEEDED',
      responseStatus: 200,
      responseBody: 'ok',
    });
    expect(log.log[0]!.durationMs).toBeGreaterThanOrEqual(0);
    published = { id, secret, endpointId: endpoint.id, webhookId: String(msg.headers['webhook-id']) };
  });

  it('retries a delivery that got a 500, with the same message id, and logs both attempts', async () => {
    const { secret, endpoint } = await addEndpoint('/flaky', ['item.withdrawn']);
    plan.set('/flaky', [500]);
    const approver = await t.tokenFor(demo.approver('miyi'));
    const w = await t.gql(
      'mutation($id: ID!) { withdrawItem(id: $id, reason: "信息有误") { state } }',
      { id: published.id },
      approver,
    );
    expect(w.errors).toBeUndefined();
    await expect.poll(() => at('/flaky').length, poll).toBe(2);
    const [first, second] = at('/flaky');
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    const payload = new Webhook(secret).verify(second!.body, second!.headers as Record<string, string>) as {
      type: string;
    };
    expect(payload.type).toBe('item.withdrawn');
    await expect.poll(async () => (await deliveries(endpoint.id)).log.length, poll).toBe(2);
    const log = await deliveries(endpoint.id);
    expect(log.log.map((d) => [d.attempt, d.status, d.responseStatus]).sort()).toEqual([
      [1, 'FAILED', 500],
      [2, 'SUCCEEDED', 200],
    ]);
    expect(log.log.find((d) => d.attempt === 1)!.responseBody).toBe('receiver broken');
    expect(log.consecutiveFailures).toBe(0);
    // The retries are pg-boss's, with exponential back-off from the configured delay (WEBHOOK_RETRY_DELAY_SECONDS=1,
    // WEBHOOK_MAX_ATTEMPTS=3 in this file), capped at an hour.
    expect(await boss.getQueue(queues.deliverWebhook)).toMatchObject({
      retryLimit: 2,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 3600,
    });
    // The first endpoint also subscribed to withdrawals and got it once.
    await expect.poll(() => at('/ok').length, poll).toBe(2);
  });

  it('redelivers a logged delivery on request, as a manual attempt with the same message id', async () => {
    const before = await deliveries(published.endpointId);
    const first = before.log.find((d) => d.eventType === 'item.published')!;
    const count = at('/ok').length;
    const r = await t.gql('mutation($d: ID!) { redeliverWebhook(deliveryId: $d) }', { d: first.id }, admin);
    expect(r.data?.redeliverWebhook).toBe(true);
    await expect.poll(() => at('/ok').length, poll).toBe(count + 1);
    const again = at('/ok').at(-1)!;
    expect(again.headers['webhook-id']).toBe(published.webhookId);
    new Webhook(published.secret).verify(again.body, again.headers as Record<string, string>);
    await expect
      .poll(async () => (await deliveries(published.endpointId)).log.filter((d) => d.manual).length, poll)
      .toBe(1);
    const manual = (await deliveries(published.endpointId)).log.find((d) => d.manual)!;
    expect(manual).toMatchObject({ eventId: published.webhookId, attempt: 2, status: 'SUCCEEDED' });
    // An editor is not a site admin: no redelivery.
    const editor = await t.tokenFor(demo.editor('miyi'));
    const denied = await t.gql('mutation($d: ID!) { redeliverWebhook(deliveryId: $d) }', { d: first.id }, editor);
    expect(codeOf(denied)).toBe('NOT_FOUND');
  });

  it('a new version of a public item fires item.updated (not item.published)', async () => {
    const { secret } = await addEndpoint('/updated', ['item.updated']);
    const id = await publishItem(t, 'miyi', { column: '/zwdt/tzgg', slug: 'hook-2', title: '第二条通知' });
    const editor = await t.tokenFor(demo.editor('miyi'));
    const upd = await t.gql(
      'mutation($i: UpdateItemInput!) { updateItem(input: $i) { state } }',
      { i: { id, title: '第二条通知（修订）' } },
      editor,
    );
    expect(upd.errors).toBeUndefined();
    await t.gql('mutation($id: ID!) { submitItem(id: $id) { state } }', { id }, editor);
    for (const who of [demo.editor('miyi'), demo.reviewer('miyi'), demo.approver('miyi')]) {
      const r = await t.gql(
        'mutation($id: ID!) { signOff(input: { id: $id }) { state } }',
        { id },
        await t.tokenFor(who),
      );
      expect(r.errors).toBeUndefined();
    }
    await expect.poll(() => at('/updated').length, poll).toBe(1);
    const msg = at('/updated')[0]!;
    const payload = new Webhook(secret).verify(msg.body, msg.headers as Record<string, string>) as {
      type: string;
      data: { item: { id: string; title: string; revision: number } };
    };
    expect(payload.type).toBe('item.updated');
    expect(payload.data.item).toMatchObject({ id, title: '第二条通知（修订）', revision: 2 });
  });

  it('disables an endpoint after consecutive failures, with an audit entry; rotation signs with both secrets', async () => {
    const { endpoint } = await addEndpoint('/down', ['column.changed']);
    plan.set('/down', [500, 500, 500, 500, 500]);
    const rotated = await t.gql(
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { previousSecretExpiresAt } } }',
      { id: endpoint.id },
      admin,
    );
    const newSecret = rotated.data!.rotateWebhookSecret.secret as string;
    expect(rotated.data!.rotateWebhookSecret.endpoint.previousSecretExpiresAt).not.toBeNull();
    const col = await t.gql(
      'mutation { createColumn(input: { site: "miyi", code: "hooktest", name: "钩子测试" }) { id } }',
      {},
      admin,
    );
    expect(col.errors).toBeUndefined();
    // WEBHOOK_MAX_ATTEMPTS=3 and WEBHOOK_DISABLE_AFTER_FAILURES=3 in this file.
    await expect.poll(() => at('/down').length, poll).toBe(3);
    await expect.poll(async () => (await deliveries(endpoint.id)).enabled, poll).toBe(false);
    const state = await deliveries(endpoint.id);
    expect(state.disabledReason).toBe('3 consecutive failed deliveries');
    expect(state.log.map((d) => d.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    // Two signatures during the overlap: the new secret verifies (and so would the old one).
    const msg = at('/down')[0]!;
    expect(String(msg.headers['webhook-signature']).split(' ')).toHaveLength(2);
    new Webhook(newSecret).verify(msg.body, msg.headers as Record<string, string>);
    const audit = await t.platform
      .systemCtx('test')
      .em.find(AuditRecord, { action: 'webhook.autoDisable', targetId: endpoint.id });
    expect(audit).toHaveLength(1);
    // A disabled endpoint is not redelivered to.
    const r = await t.gql('mutation($d: ID!) { redeliverWebhook(deliveryId: $d) }', { d: state.log[0]!.id }, admin);
    expect(reasonOf(r)).toBe('WEBHOOK_ENDPOINT_DISABLED');
  });

  it('writes the outbox row in the transaction of the change: a rollback leaves none', async () => {
    const ctx = t.platform.systemCtx('test:outbox');
    await ctx.directory.fresh();
    const siteId = ctx.directory.byCode('miyi')!.id;
    const count = () => ctx.em.fork().count(WebhookEvent, { type: 'site.status_changed' });
    const before = await count();
    await expect(
      ctx.em.transactional(async (tx) => {
        await recordWebhookEvent(tx, siteId, 'site.status_changed', { test: true }, new Date());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // Nobody subscribes to site.status_changed yet: nothing is written even on commit (one cheap statement).
    await ctx.em.transactional((tx) => recordWebhookEvent(tx, siteId, 'site.status_changed', {}, new Date()));
    expect(await count()).toBe(before);
    await addEndpoint('/status', ['site.status_changed']);
    await expect(
      ctx.em.transactional(async (tx) => {
        await recordWebhookEvent(tx, siteId, 'site.status_changed', { test: true }, new Date());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await count()).toBe(before);
    await ctx.em.transactional((tx) => recordWebhookEvent(tx, siteId, 'site.status_changed', {}, new Date()));
    expect(await count()).toBe(before + 1);
  });

  it('refuses loopback, private and non-http targets unless the switch allows them', async () => {
    const strict = makeCtx({
      actor: { kind: 'system', name: 'test' },
      rootEm: t.platform.orm.em,
      directory: await t.platform.directory.fresh(),
      settings: {
        ...t.platform.settings,
        webhooks: { allowPrivateTargets: false, disableAfterFailures: 3, rotationOverlapHours: 24 },
      },
    });
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://[::1]/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/x',
      'ftp://hooks.example.org/x',
      'https://user:pw@hooks.example.org/x',
    ]) {
      const err = await createWebhookEndpoint(strict, { site: 'miyi', url, events: ['item.published'] }).catch(
        (e: unknown) => e,
      );
      expect(err, url).toBeInstanceOf(AppError);
      expect((err as AppError).reason, url).toBe('WEBHOOK_TARGET_FORBIDDEN');
    }
    const ok = await createWebhookEndpoint(strict, {
      site: 'miyi',
      url: 'https://hooks.example.org/zhanqun',
      events: ['item.published'],
    });
    expect(ok.endpoint.url).toBe('https://hooks.example.org/zhanqun');
    // Unknown event types are refused by name.
    const bad = await t.gql(
      'mutation { createWebhookEndpoint(input: { site: "miyi", url: "https://hooks.example.org/", events: ["item.deleted"] }) { secret } }',
      {},
      admin,
    );
    expect([codeOf(bad), bad.errors?.[0]?.extensions.field]).toEqual(['BAD_USER_INPUT', 'events.0']);
  });
});

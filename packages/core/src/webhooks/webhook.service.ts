import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { canAdministerSite } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursorValue, encodeCursorValue, type Page, type PageArgs, pageSize } from '../shared/pagination.ts';
import { parseInput } from '../shared/validation.ts';
import { assertWritable, requireSiteByCode } from '../sites/site-lookup.ts';
import { WebhookDelivery, WebhookEndpoint } from './webhook.entity.ts';
import { webhookEventTypes } from './webhook-events.ts';
import { webhookTargetProblem } from './webhook-target.policy.ts';

export const defaultWebhookSettings = {
  allowPrivateTargets: false,
  disableAfterFailures: 20,
  rotationOverlapHours: 24,
};
const settingsOf = (ctx: Ctx) => ctx.settings.webhooks ?? defaultWebhookSettings;

/** Standard Webhooks: `whsec_` + base64 of the key; 32 random bytes (the spec asks for 24 to 64). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const eventsInput = z
  .array(z.enum(webhookEventTypes))
  .min(1)
  .max(webhookEventTypes.length)
  .transform((a) => [...new Set(a)].sort());
const urlInput = z.string().trim().min(1).max(2000);

function checkTarget(ctx: Ctx, url: string): string {
  const problem = webhookTargetProblem(url, settingsOf(ctx).allowPrivateTargets);
  if (problem) throw new AppError('WEBHOOK_TARGET_FORBIDDEN', undefined, { field: 'url', details: { problem } });
  return url;
}

/** The endpoint, if the actor administers its site (a foreign endpoint is NOT_FOUND, like a missing one). */
async function requireEndpoint(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
  const parsed = z.uuid().safeParse(id);
  const endpoint = parsed.success ? await ctx.em.findOne(WebhookEndpoint, { id }) : null;
  if (!endpoint || !canAdministerSite(ctx.actor, endpoint.siteId, ctx.directory))
    throw new AppError('NOT_FOUND', 'Webhook endpoint not found', { field: 'id' });
  return endpoint;
}

async function requireAdminSite(ctx: Ctx, code: string) {
  const site = await requireSiteByCode(ctx, code);
  if (!canAdministerSite(ctx.actor, site.id, ctx.directory)) throw new AppError('FORBIDDEN');
  return site;
}

const createInput = z.object({
  site: z.string(),
  url: urlInput,
  events: eventsInput,
  description: z.string().trim().max(500).nullish(),
});
export type CreateWebhookEndpointInput = z.input<typeof createInput>;

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** Shown once: at creation and at each rotation. */
  secret: string;
}

/** A site admin adds an endpoint; its secret is returned once. */
export async function createWebhookEndpoint(ctx: Ctx, raw: CreateWebhookEndpointInput): Promise<EndpointWithSecret> {
  const input = parseInput(createInput, raw);
  const site = await requireAdminSite(ctx, input.site);
  assertWritable(site);
  const url = checkTarget(ctx, input.url);
  const now = ctx.now();
  const endpoint = await ctx.em.transactional(async (tx) => {
    const e = tx.create(WebhookEndpoint, {
      id: randomUUID(),
      siteId: site.id,
      url,
      description: input.description ?? '',
      events: input.events,
      secret: newWebhookSecret(),
      previousSecret: null,
      previousSecretExpiresAt: null,
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: site.id,
      action: 'webhook.create',
      targetType: 'WebhookEndpoint',
      targetId: e.id,
      changes: { url, events: input.events },
    });
    return e;
  });
  return { endpoint, secret: endpoint.secret };
}

const updateInput = z.object({
  id: z.string(),
  url: urlInput.nullish(),
  events: eventsInput.nullish(),
  description: z.string().trim().max(500).nullish(),
  /** Re-enabling (after an automatic disable) starts the failure count again. */
  enabled: z.boolean().nullish(),
});
export type UpdateWebhookEndpointInput = z.input<typeof updateInput>;

export async function updateWebhookEndpoint(ctx: Ctx, raw: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
  const input = parseInput(updateInput, raw);
  const found = await requireEndpoint(ctx, input.id);
  if (input.url) checkTarget(ctx, input.url);
  return ctx.em.transactional(async (tx) => {
    const e = await tx.findOneOrFail(WebhookEndpoint, { id: found.id });
    const changes: Record<string, unknown> = {};
    if (input.url && input.url !== e.url) [changes.url, e.url] = [[e.url, input.url], input.url];
    if (input.events) [changes.events, e.events] = [[e.events, input.events], input.events];
    if (input.description != null) e.description = input.description;
    if (input.enabled != null && input.enabled !== e.enabled) {
      changes.enabled = [e.enabled, input.enabled];
      e.enabled = input.enabled;
      e.disabledReason = input.enabled ? null : 'disabled by an admin';
      e.consecutiveFailures = 0;
    }
    e.updatedAt = ctx.now();
    tx.persist(e);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: e.siteId,
      action: 'webhook.update',
      targetType: 'WebhookEndpoint',
      targetId: e.id,
      changes,
    });
    return e;
  });
}

/**
 * A new secret; the previous one keeps signing alongside it (two signatures per message) for the overlap
 * (default 24 h), so a receiver can switch without losing a message. Returned once.
 */
export async function rotateWebhookSecret(ctx: Ctx, id: string): Promise<EndpointWithSecret> {
  const found = await requireEndpoint(ctx, id);
  const now = ctx.now();
  const endpoint = await ctx.em.transactional(async (tx) => {
    const e = await tx.findOneOrFail(WebhookEndpoint, { id: found.id });
    e.previousSecret = e.secret;
    e.previousSecretExpiresAt = new Date(now.getTime() + settingsOf(ctx).rotationOverlapHours * 3600_000);
    e.secret = newWebhookSecret();
    e.updatedAt = now;
    tx.persist(e);
    await tx.flush();
    await appendAudit(tx, ctx, {
      siteId: e.siteId,
      action: 'webhook.rotateSecret',
      targetType: 'WebhookEndpoint',
      targetId: e.id,
      changes: { previousSecretExpiresAt: e.previousSecretExpiresAt.toISOString() },
    });
    return e;
  });
  return { endpoint, secret: endpoint.secret };
}

export async function deleteWebhookEndpoint(ctx: Ctx, id: string): Promise<string> {
  const found = await requireEndpoint(ctx, id);
  await ctx.em.transactional(async (tx) => {
    await tx.nativeDelete(WebhookEndpoint, { id: found.id });
    await appendAudit(tx, ctx, {
      siteId: found.siteId,
      action: 'webhook.delete',
      targetType: 'WebhookEndpoint',
      targetId: found.id,
      changes: { url: found.url },
    });
  });
  return found.id;
}

/** A site's endpoints (site admins), oldest first. */
export async function listWebhookEndpoints(ctx: Ctx, siteCode: string): Promise<WebhookEndpoint[]> {
  const site = await requireAdminSite(ctx, siteCode);
  return ctx.em.find(WebhookEndpoint, { siteId: site.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/** An endpoint's delivery log, newest first. */
export async function listWebhookDeliveries(
  ctx: Ctx,
  endpoint: WebhookEndpoint,
  args: PageArgs,
): Promise<Page<WebhookDelivery>> {
  const limit = pageSize(args.first);
  const after = args.after ? decodeCursorValue(args.after, ['datetime', 'uuid']) : null;
  const rows = await ctx.em.find(
    WebhookDelivery,
    {
      endpointId: endpoint.id,
      ...(after
        ? {
            $or: [
              { createdAt: { $lt: new Date(after[0] as string) } },
              { createdAt: new Date(after[0] as string), id: { $lt: after[1] as string } },
            ],
          }
        : {}),
    },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    cursors: nodes.map((d) => encodeCursorValue([d.createdAt.toISOString(), d.id])),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== null,
  };
}

/** Sends a logged delivery's event to its endpoint again, now (site admins); a new attempt is logged. */
export async function redeliverWebhook(ctx: Ctx, deliveryId: string): Promise<boolean> {
  const parsed = z.uuid().safeParse(deliveryId);
  const delivery = parsed.success ? await ctx.em.findOne(WebhookDelivery, { id: deliveryId }) : null;
  if (!delivery || !canAdministerSite(ctx.actor, delivery.siteId, ctx.directory))
    throw new AppError('NOT_FOUND', 'Webhook delivery not found', { field: 'deliveryId' });
  const endpoint = await requireEndpoint(ctx, delivery.endpointId);
  if (!endpoint.enabled) throw new AppError('WEBHOOK_ENDPOINT_DISABLED', undefined, { field: 'deliveryId' });
  if (!ctx.jobs?.deliverWebhook) throw new Error('no job port for webhook deliveries');
  await ctx.em.transactional(async (tx) => {
    await appendAudit(tx, ctx, {
      siteId: delivery.siteId,
      action: 'webhook.redeliver',
      targetType: 'WebhookEndpoint',
      targetId: endpoint.id,
      changes: { eventId: delivery.eventId, deliveryId },
    });
  });
  await ctx.jobs.deliverWebhook(delivery.eventId, endpoint.id, { manual: true });
  return true;
}

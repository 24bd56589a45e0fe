import { defineEntity, p } from '@mikro-orm/core';

/** A site's webhook endpoint (migration 0019): where events are POSTed, signed per the Standard Webhooks spec. */
export const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoint',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    url: p.string(),
    description: p.string(),
    events: p.array().columnType('text[]'),
    secret: p.string(),
    previousSecret: p.string().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    enabled: p.boolean(),
    disabledReason: p.string().nullable(),
    consecutiveFailures: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class WebhookEndpoint extends WebhookEndpointSchema.class {}
WebhookEndpointSchema.setClass(WebhookEndpoint);

/** The outbox: one event, written in the transaction of the change it reports. */
export const WebhookEventSchema = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_event',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    type: p.string(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    dispatchedAt: p.datetime().nullable(),
  },
});
export class WebhookEvent extends WebhookEventSchema.class {}
WebhookEventSchema.setClass(WebhookEvent);

/** The delivery log: one attempt to deliver one event to one endpoint. */
export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    endpointId: p.uuid(),
    eventId: p.uuid(),
    eventType: p.string(),
    attempt: p.integer(),
    manual: p.boolean(),
    status: p.enum(['SUCCEEDED', 'FAILED'] as const),
    responseStatus: p.integer().nullable(),
    durationMs: p.integer(),
    responseBody: p.text().nullable(),
    error: p.string().nullable(),
    createdAt: p.datetime(),
  },
});
export class WebhookDelivery extends WebhookDeliverySchema.class {}
WebhookDeliverySchema.setClass(WebhookDelivery);

import {
  type CreateWebhookEndpointInput,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  type UpdateWebhookEndpointInput,
  updateWebhookEndpoint,
  type WebhookEndpoint,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

export const webhookResolvers = {
  Query: {
    webhookEndpoints: (_: unknown, a: { site: string }, { zq }: GqlContext) => listWebhookEndpoints(zq, a.site),
  },
  Mutation: {
    createWebhookEndpoint: (_: unknown, a: { input: CreateWebhookEndpointInput }, { zq }: GqlContext) =>
      createWebhookEndpoint(zq, a.input),
    updateWebhookEndpoint: (_: unknown, a: { input: UpdateWebhookEndpointInput }, { zq }: GqlContext) =>
      updateWebhookEndpoint(zq, a.input),
    rotateWebhookSecret: (_: unknown, a: { id: string }, { zq }: GqlContext) => rotateWebhookSecret(zq, a.id),
    deleteWebhookEndpoint: (_: unknown, a: { id: string }, { zq }: GqlContext) => deleteWebhookEndpoint(zq, a.id),
    redeliverWebhook: (_: unknown, a: { deliveryId: string }, { zq }: GqlContext) => redeliverWebhook(zq, a.deliveryId),
  },
  WebhookEndpoint: {
    deliveries: async (e: WebhookEndpoint, a: { first?: number; after?: string }, { zq }: GqlContext) =>
      connection(await listWebhookDeliveries(zq, e, a)),
  },
};

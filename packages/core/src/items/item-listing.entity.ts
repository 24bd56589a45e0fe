import { defineEntity, p } from '@mikro-orm/core';

/**
 * What a public list shows of one live item in one visible column, written when the item is published (issue 10):
 * lists, feeds and sitemaps read this, never the revisions, so they never read or transform a body. Rows are only
 * ever rewritten whole by `refreshListings` (item-listing.ts); `content` is the published content without `body`.
 */
export const ItemListingSchema = defineEntity({
  name: 'ItemListing',
  tableName: 'item_listing',
  primaryKeys: ['itemId', 'columnId'],
  properties: {
    itemId: p.uuid().primary(),
    columnId: p.uuid().primary(),
    siteId: p.uuid(),
    itemSiteId: p.uuid(),
    home: p.boolean(),
    publishedAt: p.datetime(),
    kind: p.string(),
    locale: p.string(),
    slug: p.string(),
    translationGroupId: p.uuid(),
    translationOfId: p.uuid().nullable(),
    translationSourceNumber: p.integer().nullable(),
    revisionId: p.uuid(),
    revisionNumber: p.integer(),
    content: p.json<Record<string, unknown>>(),
    lastPublishedAt: p.datetime(),
    indexNumber: p.string().nullable(),
    deadlineAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class ItemListing extends ItemListingSchema.class {}
ItemListingSchema.setClass(ItemListing);

import { defineEntity, p } from '@mikro-orm/core';

/** Outbox row: an item whose public search document must be re-read and delivered (or removed). */
export const SearchChangeSchema = defineEntity({
  name: 'SearchChange',
  tableName: 'search_change',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    itemId: p.uuid(),
    siteId: p.uuid(),
    reason: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    processedAt: p.datetime().nullable(),
  },
});
export class SearchChange extends SearchChangeSchema.class {}
SearchChangeSchema.setClass(SearchChange);

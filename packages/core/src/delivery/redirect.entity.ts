import { defineEntity, p } from '@mikro-orm/core';

export const redirectReasons = [
  'COLUMN_MOVED',
  'COLUMN_RENAMED',
  'COLUMN_MERGED',
  'SLUG_CHANGED',
  'LEGACY_IMPORT',
  'MANUAL',
] as const;
export type RedirectReason = (typeof redirectReasons)[number];

/**
 * One row of a site's redirect map: an old path and where it leads now — an item, a column (which also covers
 * every path below the old one), an absolute URL, or nowhere (`gone`: 410). Targets are by id, so a chain of
 * moves lands on the current address without rewriting rows.
 */
export const RedirectSchema = defineEntity({
  name: 'Redirect',
  tableName: 'site_redirect',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    fromPath: p.string(),
    targetItemId: p.uuid().nullable(),
    targetColumnId: p.uuid().nullable(),
    targetUrl: p.string().nullable(),
    gone: p.boolean(),
    reason: p.enum(redirectReasons),
    createdAt: p.datetime(),
  },
});
export class Redirect extends RedirectSchema.class {}
RedirectSchema.setClass(Redirect);

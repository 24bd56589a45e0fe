import type { ItemContent } from './item.content.ts';
import type { Item, ItemRevision, ItemState } from './item.entity.ts';

/**
 * An item as one caller sees it: people of the site see the head (working) revision; everyone else sees the
 * published revision, and only while it is live. `content.body` may be absent in list rows (loaded on demand).
 */
export interface ItemView {
  id: string;
  siteId: string;
  columnId: string;
  kind: string;
  state: ItemState;
  live: boolean;
  locale: string;
  slug: string;
  translationGroupId: string;
  translationOfId: string | null;
  translationSourceNumber: number | null;
  revisionId: string;
  revisionNumber: number;
  headNumber: number | null;
  publishedNumber: number | null;
  content: Partial<ItemContent> & { title: string };
  publishedAt: Date | null;
  lastPublishedAt: Date | null;
  scheduledAt: Date | null;
  deadlineAt: Date | null;
  indexNumber: string | null;
  withdrawnAt: Date | null;
  withdrawnReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** True when the caller sees drafts (head) rather than the public version. */
  internal: boolean;
}

export const isLive = (i: Pick<Item, 'publishedRevisionId' | 'withdrawnAt'>) =>
  !!i.publishedRevisionId && !i.withdrawnAt;

export function viewOf(item: Item, revision: ItemRevision, internal: boolean): ItemView {
  return {
    id: item.id,
    siteId: item.siteId,
    columnId: item.columnId,
    kind: item.kind,
    state: internal ? item.state : 'PUBLISHED',
    live: isLive(item),
    locale: item.locale,
    slug: item.slug,
    translationGroupId: item.translationGroupId,
    translationOfId: item.translationOfId ?? null,
    translationSourceNumber: item.translationSourceNumber ?? null,
    revisionId: revision.id,
    revisionNumber: revision.number,
    headNumber: internal ? item.headNumber : null,
    publishedNumber: item.publishedNumber ?? null,
    content: revision.content as unknown as ItemContent,
    publishedAt: item.publishedAt ?? null,
    lastPublishedAt: item.lastPublishedAt ?? null,
    scheduledAt: internal ? (item.scheduledAt ?? null) : null,
    deadlineAt: item.deadlineAt ?? null,
    indexNumber: item.indexNumber ?? null,
    withdrawnAt: internal ? (item.withdrawnAt ?? null) : null,
    withdrawnReason: internal ? (item.withdrawnReason ?? null) : null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    internal,
  };
}

/** A row of zq_public_items (the public read path). */
export interface PublicItemRow {
  id: string;
  site_id: string;
  column_id: string;
  kind: string;
  locale: string;
  slug: string;
  translation_group_id: string;
  translation_of_id: string | null;
  translation_source_number: number | null;
  revision_id: string;
  revision_number: number;
  content: ItemContent;
  published_at: Date;
  last_published_at: Date;
  index_number: string | null;
  deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function viewOfPublicRow(r: PublicItemRow): ItemView {
  return {
    id: r.id,
    siteId: r.site_id,
    columnId: r.column_id,
    kind: r.kind,
    state: 'PUBLISHED',
    live: true,
    locale: r.locale,
    slug: r.slug,
    translationGroupId: r.translation_group_id,
    translationOfId: r.translation_of_id,
    translationSourceNumber: r.translation_source_number,
    revisionId: r.revision_id,
    revisionNumber: r.revision_number,
    headNumber: null,
    publishedNumber: r.revision_number,
    content: r.content,
    publishedAt: new Date(r.published_at),
    lastPublishedAt: new Date(r.last_published_at),
    scheduledAt: null,
    deadlineAt: r.deadline_at ? new Date(r.deadline_at) : null,
    indexNumber: r.index_number,
    withdrawnAt: null,
    withdrawnReason: null,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    internal: false,
  };
}

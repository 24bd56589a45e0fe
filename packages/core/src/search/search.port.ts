/**
 * The public search index, as core needs it. The adapter (Meilisearch) implements it; core never imports the
 * client. Documents hold only published content.
 */
export interface SearchDocument {
  id: string;
  siteId: string;
  siteCode: string;
  siteName: string;
  /** The site and every site above it: a city portal's cluster search filters on its own id here. */
  siteAncestors: string[];
  columnId: string;
  /** Every column the item appears in, and their ancestors. */
  columnIds: string[];
  kind: string;
  locale: string;
  slug: string;
  title: string;
  docNumber: string | null;
  indexNumber: string | null;
  summary: string | null;
  bodyText: string;
  keywords: string[];
  issuingBody: string | null;
  validity: string | null;
  year: number;
  /** Unix seconds, for sorting. */
  publishedAt: number;
  lastPublishedAt: number;
  /** The published revision: a change record only ever moves it forward. */
  revision: number;
}

export type SearchSort = 'RELEVANCE' | 'NEWEST' | 'OLDEST';

export interface SearchFilters {
  kind?: string[] | null;
  year?: number[] | null;
  columnId?: string[] | null;
  validity?: string[] | null;
  locale?: string | null;
  issuingBody?: string | null;
}

export interface SearchRequest {
  query: string;
  /** Site ids the results may come from (already resolved: one site, or a cluster). */
  scope: {
    field: 'siteId' | 'siteAncestors';
    siteId: string;
    /**
     * Sites under a cluster that are no longer searchable (ARCHIVED: closed or taken down, 2017 §2). Their
     * documents leave the index through the outbox, but until the worker has delivered that, the query itself
     * leaves them out — decided from the cached site directory, no extra round trip.
     */
    excludeSiteIds?: string[];
  };
  filters: SearchFilters;
  sort: SearchSort;
  offset: number;
  limit: number;
  facets: ('kind' | 'year' | 'columnId' | 'siteId')[];
}

/** What a search hit carries of its document: everything but the texts only searched (body, keywords) and the filter arrays. */
export type SearchHitDocument = Omit<SearchDocument, 'bodyText' | 'keywords' | 'columnIds' | 'siteAncestors'>;

export interface SearchHitRaw {
  doc: SearchHitDocument;
  /** HTML-safe, with matches in <mark>. */
  titleHighlighted: string;
  /** HTML-safe cropped body text, with matches in <mark>. */
  snippet: string;
}

export interface SearchResponse {
  hits: SearchHitRaw[];
  estimatedTotalHits: number;
  facets: Record<string, Record<string, number>>;
  processingTimeMs: number;
}

export interface SearchIndex {
  /** Creates the index if needed and applies its settings (idempotent; run at start). */
  ensure(): Promise<void>;
  upsert(docs: SearchDocument[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  search(req: SearchRequest): Promise<SearchResponse>;
  /** A token a theme can use against Meilisearch directly; its rules pin the scope and the public index. */
  tenantToken(
    scope: SearchRequest['scope'],
    expiresAt: Date,
  ): Promise<{ token: string; indexUid: string; host: string }>;
  /** Builds a new index from `load`, then swaps it in atomically; searches keep answering meanwhile. */
  rebuild(load: (emit: (docs: SearchDocument[]) => Promise<void>) => Promise<void>): Promise<{ documents: number }>;
}

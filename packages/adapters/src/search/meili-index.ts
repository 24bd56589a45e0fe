import { readFileSync } from 'node:fs';
import type { SearchDocument, SearchHitDocument, SearchIndex, SearchRequest, SearchResponse } from '@zhanqun/core';
import type { EnqueuedTaskPromise, Meilisearch, Settings } from 'meilisearch';
import { generateTenantToken } from 'meilisearch/token';
import type { SearchTransport } from './keep-alive-client.ts';

const HIGHLIGHT_PRE = '\u0001';
const HIGHLIGHT_POST = '\u0002';
const HAN = /\p{Script=Han}/u;
const KEY_NAME = 'zhanqun-public-search';

/** Public-index settings, applied idempotently at start (and to every rebuilt index before its documents). */
export function searchSettings(synonyms: Record<string, string[]>): Settings {
  return {
    // Order matters for the attribute ranking rule: a document number match outranks a body-text match.
    searchableAttributes: ['docNumber', 'indexNumber', 'title', 'keywords', 'summary', 'issuingBody', 'bodyText'],
    filterableAttributes: [
      'siteId',
      'siteAncestors',
      'columnId',
      'columnIds',
      'kind',
      'year',
      'validity',
      'locale',
      'issuingBody',
    ],
    sortableAttributes: ['publishedAt'],
    // `sort` right after `words`: NEWEST/OLDEST order every item matching all the query's words by date (with `sort`
    // after `attribute`, a sort only broke ties). Without a sort parameter the rule does nothing, so relevance
    // searches rank exactly as before: a document number match still outranks a body-text match.
    rankingRules: ['words', 'sort', 'typo', 'proximity', 'attribute', 'exactness'],
    // Chinese is segmented as Chinese even in short, kanji-only titles (auto-detection may take them for Japanese).
    localizedAttributes: [
      { attributePatterns: ['title', 'summary', 'bodyText', 'keywords', 'issuingBody'], locales: ['cmn'] },
    ],
    // 攀办发〔2015〕49号 must find exactly that document: no typos on numbers or on document numbers.
    typoTolerance: { enabled: true, disableOnNumbers: true, disableOnAttributes: ['docNumber', 'indexNumber'] },
    synonyms,
    pagination: { maxTotalHits: 1000 },
    faceting: { maxValuesPerFacet: 200 },
  };
}

/** Synonyms from configuration, made symmetric: if 医保 means 医疗保险, 医疗保险 means 医保 too. */
export function loadSynonyms(file?: string): Record<string, string[]> {
  const raw = JSON.parse(readFileSync(file ?? new URL('./synonyms.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  const out = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    if (a === b) return;
    if (!out.has(a)) out.set(a, new Set());
    out.get(a)!.add(b);
  };
  for (const [term, values] of Object.entries(raw)) {
    if (!Array.isArray(values)) continue;
    for (const v of values) {
      add(term, String(v));
      add(String(v), term);
    }
  }
  return Object.fromEntries([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** The document fields a search hit carries (SearchHitDocument): never the body text, only its cropped snippet. */
const HIT_ATTRIBUTES = [
  'id',
  'siteId',
  'siteCode',
  'siteName',
  'columnId',
  'kind',
  'locale',
  'slug',
  'title',
  'docNumber',
  'indexNumber',
  'summary',
  'issuingBody',
  'validity',
  'year',
  'publishedAt',
  'lastPublishedAt',
  'revision',
] satisfies (keyof SearchHitDocument)[];

const quote = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, '\\$&')}"`);
const anyOf = (field: string, values: (string | number)[] | null | undefined) =>
  values?.length ? `(${values.map((v) => `${field} = ${quote(v)}`).join(' OR ')})` : null;
/** The site clause of a search and of a tenant token: the site or cluster, minus archived sites under it. */
const scopeFilter = (scope: SearchRequest['scope']) =>
  [
    `${scope.field} = ${quote(scope.siteId)}`,
    ...(scope.excludeSiteIds?.length
      ? [`siteId NOT IN [${scope.excludeSiteIds.map((v) => quote(v)).join(', ')}]`]
      : []),
  ].join(' AND ');

/** Meilisearch returns stored text raw: escape it, then turn the highlight markers into <mark>. */
export function safeHighlight(text: string): string {
  // Adjacent marks (a word segmented in two) read as one: <mark>乡村</mark><mark>振兴</mark> → <mark>乡村振兴</mark>.
  const joined = text.replaceAll(HIGHLIGHT_POST + HIGHLIGHT_PRE, '');
  const escaped = joined.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
  return escaped.replaceAll(HIGHLIGHT_PRE, '<mark>').replaceAll(HIGHLIGHT_POST, '</mark>');
}

async function done(task: EnqueuedTaskPromise, what: string): Promise<void> {
  const t = await task.waitTask({ timeout: 120_000, interval: 50 });
  if (t.status !== 'succeeded')
    throw new Error(`Meilisearch ${what} ${t.status}: ${t.error?.code ?? ''} ${t.error?.message ?? ''}`);
}

/** What Meilisearch answers to a search, as far as we read it. */
interface MeiliSearchAnswer {
  hits: (SearchHitDocument & { _formatted?: { title?: unknown; bodyText?: unknown } })[];
  estimatedTotalHits?: number;
  facetDistribution?: Record<string, Record<string, number>>;
  processingTimeMs: number;
}

/** The body of `POST /indexes/{uid}/search` for a search request (exported for bench/search.ts and tests). */
export function searchBody(req: SearchRequest): Record<string, unknown> {
  const f = req.filters;
  const filter = [
    scopeFilter(req.scope),
    anyOf('kind', f.kind),
    anyOf('year', f.year),
    anyOf('columnIds', f.columnId),
    anyOf('validity', f.validity),
    f.locale ? `locale = ${quote(f.locale)}` : null,
    f.issuingBody ? `issuingBody = ${quote(f.issuingBody)}` : null,
  ].filter(Boolean);
  const sort = req.sort === 'NEWEST' ? ['publishedAt:desc'] : req.sort === 'OLDEST' ? ['publishedAt:asc'] : undefined;
  return {
    q: req.query,
    filter: filter.join(' AND '),
    offset: req.offset,
    limit: req.limit,
    ...(sort ? { sort } : {}),
    facets: req.facets,
    // Issue 10: only what a hit shows. Without this Meilisearch sends every document whole (a ~3 KB body as
    // `bodyText`, besides its cropped copy in `_formatted`), which the API parsed and dropped on every search.
    attributesToRetrieve: HIT_ATTRIBUTES,
    attributesToHighlight: ['title', 'bodyText'],
    attributesToCrop: ['bodyText'],
    cropLength: 40,
    cropMarker: '…',
    highlightPreTag: HIGHLIGHT_PRE,
    highlightPostTag: HIGHLIGHT_POST,
    ...(HAN.test(req.query) ? { locales: ['cmn'] } : {}),
  };
}

export class MeiliSearchIndex implements SearchIndex {
  readonly #client: Meilisearch;
  /** How public searches are sent (a keep-alive node:http client in the platform); else through #client. */
  readonly #transport: SearchTransport;
  readonly #searchPath: string;
  readonly #host: string;
  readonly #uid: string;
  readonly #settings: Settings;
  #searchKey: Promise<{ key: string; uid: string }> | null = null;

  constructor(
    client: Meilisearch,
    opts: { host: string; indexUid: string; synonyms: Record<string, string[]>; searchTransport?: SearchTransport },
  ) {
    this.#client = client;
    this.#transport = opts.searchTransport ?? {
      postJson: (path, body) => client.httpRequest.post({ path, body, contentType: 'application/json' }),
    };
    this.#host = opts.host;
    this.#uid = opts.indexUid;
    this.#searchPath = `indexes/${encodeURIComponent(opts.indexUid)}/search`;
    this.#settings = searchSettings(opts.synonyms);
  }

  get indexUid(): string {
    return this.#uid;
  }

  /** Creates the index if needed and applies the settings (idempotent). */
  async ensure(): Promise<void> {
    // Create unconditionally: an "already exists" task failure is the normal case after the first start.
    const created = await this.#client
      .createIndex(this.#uid, { primaryKey: 'id' })
      .waitTask({ timeout: 120_000, interval: 50 });
    if (created.status !== 'succeeded' && created.error?.code !== 'index_already_exists') {
      throw new Error(
        `Meilisearch createIndex ${created.status}: ${created.error?.code ?? ''} ${created.error?.message ?? ''}`,
      );
    }
    await done(this.#client.index(this.#uid).updateSettings(this.#settings), 'updateSettings');
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    await done(this.#client.index(this.#uid).addDocuments(docs, { primaryKey: 'id' }), 'addDocuments');
  }

  async remove(ids: string[]): Promise<void> {
    await done(this.#client.index(this.#uid).deleteDocuments(ids), 'deleteDocuments');
  }

  async search(req: SearchRequest): Promise<SearchResponse> {
    const res = (await this.#transport.postJson(
      this.#searchPath,
      JSON.stringify(searchBody(req)),
    )) as MeiliSearchAnswer;
    return {
      hits: res.hits.map((h) => {
        const formatted = h._formatted ?? {};
        return {
          doc: h,
          titleHighlighted: safeHighlight(String(formatted.title ?? h.title)),
          snippet: safeHighlight(String(formatted.bodyText ?? h.summary ?? '')),
        };
      }),
      estimatedTotalHits: res.estimatedTotalHits ?? res.hits.length,
      facets: res.facetDistribution ?? {},
      processingTimeMs: res.processingTimeMs,
    };
  }

  /** A search-only key, created once: tenant tokens are signed with it (never with the master key). */
  #key(): Promise<{ key: string; uid: string }> {
    this.#searchKey ??= (async () => {
      const keys = await this.#client.getKeys({ limit: 1000 });
      const name = `${KEY_NAME}:${this.#uid}`;
      const found = keys.results.find((k) => k.name === name);
      const key =
        found ??
        (await this.#client.createKey({
          name,
          description: 'Signs tenant tokens for themes; search only, public index only',
          actions: ['search'],
          indexes: [this.#uid],
          expiresAt: null,
        }));
      return { key: key.key, uid: key.uid };
    })().catch((e) => {
      this.#searchKey = null;
      throw e;
    });
    return this.#searchKey;
  }

  async tenantToken(scope: SearchRequest['scope'], expiresAt: Date) {
    const { key, uid } = await this.#key();
    // The rule names the public index only, and repeats the site clause: a client filter is ANDed with it.
    const token = await generateTenantToken({
      apiKey: key,
      apiKeyUid: uid,
      searchRules: { [this.#uid]: { filter: scopeFilter(scope) } },
      expiresAt,
    });
    return { token, indexUid: this.#uid, host: this.#host };
  }

  async rebuild(load: (emit: (docs: SearchDocument[]) => Promise<void>) => Promise<void>) {
    const next = `${this.#uid}_rebuild_${Date.now()}`;
    await done(this.#client.createIndex(next, { primaryKey: 'id' }), 'createIndex');
    try {
      await done(this.#client.index(next).updateSettings(this.#settings), 'updateSettings');
      let documents = 0;
      await load(async (docs) => {
        if (docs.length === 0) return;
        await done(this.#client.index(next).addDocuments(docs, { primaryKey: 'id' }), 'addDocuments');
        documents += docs.length;
      });
      await this.ensure();
      await done(this.#client.swapIndexes([{ indexes: [this.#uid, next], rename: false }]), 'swapIndexes');
      return { documents };
    } finally {
      await this.#client
        .deleteIndex(next)
        .waitTask({ timeout: 60_000 })
        .catch(() => undefined);
    }
  }
}

import { z } from 'zod';
import { isPlatformWide } from '../access/permissions.policy.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors/app-error.ts';
import { canSeeDrafts } from '../items/item-access.ts';
import { columnNamesByIds } from '../columns/column.service.ts';
import type { ColumnLabels, Ctx } from '../shared/context.ts';
import { parseInput, withDefault } from '../shared/validation.ts';
import { requireSiteByCode } from '../sites/site-lookup.ts';
import { SEARCHABLE_SITE_STATUSES } from './search-document.ts';
import type { SearchIndex, SearchRequest, SearchResponse } from './search.port.ts';
import { indexableDocuments } from './search-sync.service.ts';

function requireIndex(ctx: Ctx): SearchIndex {
  if (!ctx.search) throw new AppError('SEARCH_UNAVAILABLE');
  return ctx.search;
}

const searchInput = z.object({
  query: z.string().trim().max(200),
  site: z.string(),
  scope: withDefault(z.enum(['SITE', 'CLUSTER']), 'SITE'),
  filters: z
    .object({
      kind: z
        .array(z.string().regex(/^[A-Z_]{2,32}$/))
        .max(10)
        .nullish(),
      year: z.array(z.number().int().min(1990).max(2100)).max(20).nullish(),
      column: z.array(z.uuid()).max(20).nullish(),
      validity: z
        .array(z.enum(['EFFECTIVE', 'AMENDED', 'REPEALED', 'EXPIRED']))
        .max(4)
        .nullish(),
      locale: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$/)
        .nullish(),
      issuingBody: z.string().trim().max(200).nullish(),
    })
    .nullish(),
  sort: withDefault(z.enum(['RELEVANCE', 'NEWEST', 'OLDEST']), 'RELEVANCE'),
  first: withDefault(z.number().int().min(0).max(50), 10),
  after: z.string().nullish(),
});
export type SearchInput = z.input<typeof searchInput>;

const offsetOf = (after: string | null | undefined) => {
  if (!after) return 0;
  // Strict: '%%%' decodes to '' (Number('') is 0), which must not pass for a cursor.
  const text = after.length <= 16 ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const n = /^\d{1,4}$/.test(text) ? Number(text) : -1;
  if (n < 0 || n > 1000) throw new AppError('INVALID_INPUT', 'Malformed cursor', { field: 'after' });
  return n;
};
export const searchCursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');

/** The scope a site's search covers: itself, or (cluster) itself and every site below it (站群统一检索). */
async function scopeFor(
  ctx: Ctx,
  code: string,
  scope: 'SITE' | 'CLUSTER',
): Promise<{ request: SearchRequest['scope']; siteIds: string[] }> {
  const entry = (await ctx.directory.fresh()).byCode(code);
  if (!entry || !SEARCHABLE_SITE_STATUSES.has(entry.status))
    throw new AppError('NOT_FOUND', 'Site not found', { field: 'site' });
  if (scope === 'SITE') return { request: { field: 'siteId', siteId: entry.id }, siteIds: [entry.id] };
  // 2017 §2: a site below the cluster that was closed or taken down is out of the cluster's search at once, not
  // only once the worker has delivered its removals (the directory is already in memory: no extra round trip).
  const subtree = ctx.directory.subtree(entry.id);
  const searchable = (id: string) => SEARCHABLE_SITE_STATUSES.has(ctx.directory.byId(id)?.status ?? '');
  const excludeSiteIds = subtree.filter((id) => !searchable(id));
  return {
    request: { field: 'siteAncestors', siteId: entry.id, ...(excludeSiteIds.length ? { excludeSiteIds } : {}) },
    siteIds: subtree.filter(searchable),
  };
}

/** Public search over published content only, through our API (highlights are HTML-safe). */
export async function searchPublished(
  ctx: Ctx,
  raw: SearchInput,
): Promise<SearchResponse & { offset: number; limit: number; columnLabels: ColumnLabels }> {
  const input = parseInput(searchInput, raw);
  const scope = await scopeFor(ctx, input.site, input.scope);
  const offset = offsetOf(input.after);
  const index = requireIndex(ctx);
  // Issue 10: the public's column labels are asked with the scope's sites while Meilisearch works, not after it
  // has answered (a second round trip on every search). Signed-in people may see hidden columns of their sites:
  // theirs are asked by id once the facet is known, as before.
  const early =
    ctx.actor.kind === 'anonymous' && ctx.publicReads?.columnLabels
      ? ctx.publicReads.columnLabels(scope.siteIds).catch(() => null)
      : null;
  let res: SearchResponse;
  try {
    res = await index.search({
      query: input.query,
      scope: scope.request,
      filters: {
        kind: input.filters?.kind,
        year: input.filters?.year,
        columnId: input.filters?.column,
        validity: input.filters?.validity,
        locale: input.filters?.locale,
        issuingBody: input.filters?.issuingBody,
      },
      sort: input.sort,
      offset,
      limit: input.first,
      facets: input.scope === 'CLUSTER' ? ['kind', 'year', 'columnId', 'siteId'] : ['kind', 'year', 'columnId'],
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('SEARCH_UNAVAILABLE', undefined, {
      details: { cause: String((e as Error).message ?? e).slice(0, 200) },
    });
  }
  // Should the early question have failed, the labels are asked by id, which reports a real failure.
  const columnLabels = (await early) ?? (await columnNamesByIds(ctx, Object.keys(res.facets.columnId ?? {})));
  return { ...res, offset, limit: input.first, columnLabels };
}

const keyInput = z.object({ site: z.string(), scope: withDefault(z.enum(['SITE', 'CLUSTER']), 'SITE') });

/**
 * A Meilisearch tenant token for search-as-you-type straight from the browser. Its rules pin the site set and
 * the public index, whatever filter the client adds; it expires within an hour (tokens cannot be revoked one
 * by one, so they stay short).
 */
export async function searchKey(ctx: Ctx, raw: z.input<typeof keyInput>) {
  const input = parseInput(keyInput, raw);
  const { request: scope } = await scopeFor(ctx, input.site, input.scope);
  const expiresAt = new Date(ctx.now().getTime() + 3_600_000);
  const { token, indexUid, host } = await requireIndex(ctx)
    .tenantToken(scope, expiresAt)
    .catch((e: unknown) => {
      throw new AppError('SEARCH_UNAVAILABLE', undefined, {
        details: { cause: String((e as Error).message ?? e).slice(0, 200) },
      });
    });
  const excluded = scope.excludeSiteIds?.length
    ? ` AND siteId NOT IN [${scope.excludeSiteIds.map((id) => `"${id}"`).join(', ')}]`
    : '';
  return { token, indexUid, host, expiresAt, filter: `${scope.field} = "${scope.siteId}"${excluded}` };
}

const draftsInput = z.object({
  site: z.string(),
  query: z.string().trim().min(1).max(100),
  first: withDefault(z.number().int().min(1).max(50), 20),
});

/** Editors search their own site's drafts through the API only (never through the public index). */
export async function searchDrafts(ctx: Ctx, raw: z.input<typeof draftsInput>) {
  const input = parseInput(draftsInput, raw);
  const site = await requireSiteByCode(ctx, input.site);
  if (!canSeeDrafts(ctx, site.id)) throw new AppError('FORBIDDEN');
  const like = `%${input.query.replace(/[\\%_]/g, '\\$&')}%`;
  const rows = await ctx.em.execute<{ id: string }[]>(
    `select i.id from item i join item_revision r on r.id = i.head_revision_id
      where i.site_id = ? and (r.content->>'title' ilike ? or r.body_text ilike ? or r.content->>'docNumber' ilike ?)
      order by i.updated_at desc limit ?`,
    [site.id, like, like, like, input.first],
  );
  return rows.map((r) => r.id);
}

/**
 * Rebuilds the public index from the database into a new index and swaps it in; searches keep answering from
 * the old one meanwhile. Changes made during the rebuild are replayed through the outbox afterwards.
 */
export async function reindexSearch(ctx: Ctx): Promise<{ documents: number; replayed: number }> {
  if (!isPlatformWide(ctx.actor)) throw new AppError('FORBIDDEN', 'Only platform admins rebuild the search index');
  const index = requireIndex(ctx);
  await ctx.directory.fresh();
  const [{ started }] = (await ctx.em.execute<{ started: Date }[]>('select now() as started')) as [{ started: Date }];
  const { documents } = await index.rebuild(async (emit) => {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await ctx.em.execute<{ id: string }[]>(
        'select id from item where published_revision_id is not null and withdrawn_at is null and id > ? order by id limit 500',
        [after],
      );
      if (ids.length === 0) return;
      await emit(
        await indexableDocuments(
          ctx.em,
          ctx.directory,
          ids.map((r) => r.id),
        ),
      );
      after = ids[ids.length - 1]!.id;
    }
  });
  const replayed = await ctx.em.transactional(async (tx) => {
    const rows = await tx.execute<{ n: number }[]>(
      `with r as (insert into search_change (item_id, site_id, reason)
         select id, site_id, 'reindex-replay' from item where published_revision_id is not null and updated_at >= ? returning 1)
       select count(*)::int as n from r`,
      [started],
    );
    await appendAudit(tx, ctx, {
      siteId: null,
      action: 'search.reindex',
      targetType: 'SearchIndex',
      changes: { documents },
    });
    return rows[0]?.n ?? 0;
  });
  return { documents, replayed };
}

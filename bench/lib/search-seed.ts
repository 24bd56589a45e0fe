/**
 * Content for the search bench: the relevance fixture (services/api/test/fixtures/search-fixture.ts) verbatim, then
 * variants of it up to a few thousand published items — other years, other document numbers — plus some drafts,
 * bulk-inserted with SQL as the schema owner like bench/lib/stack.ts does. Published items get a `search_change`
 * row each, exactly what publishing writes, so the real delivery path (deliverAllSearchChanges) fills the index.
 */
import { randomUUID } from 'node:crypto';
import { contentHash, normaliseContent, plainText } from '../../packages/core/src/index.ts';
import { type FixtureItem, PUBLISHED_FIXTURE } from '../../services/api/test/fixtures/search-fixture.ts';
import type { PgClient } from './deps.ts';
import { governmentParagraphs, prng } from './realistic-seed.ts';

export interface SearchSeedCounts {
  /** Published items, fixture included. */
  published: number;
  /** Drafts (never indexed). */
  drafts: number;
  /**
   * Variants' bodies are padded with government-news paragraphs to about this many bytes (issue 10: search is
   * measured on ~3 KB Chinese bodies, as the read bench is); 0 keeps the fixture's short bodies.
   */
  bodyBytes?: number;
}

export const DEFAULT_SEARCH_COUNTS: SearchSeedCounts = { published: 3_000, drafts: 200, bodyBytes: 3_000 };

interface Seeded {
  fixture: FixtureItem;
  title: string;
  body: string;
  docNumber: string | null;
  writtenAt: string | null;
  issuedAt: string | null;
  publishedAt: Date;
  published: boolean;
}

const DOC_NUMBER = /^(.+)〔(\d{4})〕(\d+)号$/;

/** The fixture first, then variants: the same kind of item in another year, with a fresh document number. */
function corpus(counts: SearchSeedCounts): Seeded[] {
  const rnd = prng(20171102);
  const padding = prng(20261128);
  const nextNumber = new Map<string, number>();
  const out: Seeded[] = [];
  const total = counts.published + counts.drafts;
  for (let i = 0; i < total; i++) {
    const published = i < counts.published;
    const f = PUBLISHED_FIXTURE[i % PUBLISHED_FIXTURE.length]!;
    if (i < PUBLISHED_FIXTURE.length) {
      out.push({
        fixture: f,
        title: f.title,
        body: f.body,
        docNumber: f.docNumber ?? null,
        writtenAt: f.writtenAt ?? null,
        issuedAt: f.issuedAt ?? null,
        publishedAt: new Date(f.publishedAt),
        published,
      });
      continue;
    }
    const year = 2015 + Math.floor(rnd() * 11);
    const day = Math.floor(rnd() * 360);
    const publishedAt = new Date(Date.UTC(year, 0, 1, 1, 0) + day * 86_400_000 + Math.floor(rnd() * 9 * 3_600_000));
    const swapYear = (s: string) => s.replace(/20[12]\d(?=年)/g, String(year));
    let docNumber: string | null = null;
    const m = f.docNumber ? DOC_NUMBER.exec(f.docNumber) : null;
    if (m) {
      // Numbers above the fixture's (all < 150), so a variant never repeats a fixture's document number.
      const key = `${m[1]}${year}`;
      const n = nextNumber.get(key) ?? 150;
      nextNumber.set(key, n + 1);
      docNumber = `${m[1]}〔${year}〕${n}号`;
    }
    const own = swapYear(f.body).replaceAll(f.docNumber ?? '\u0000', docNumber ?? '');
    const missing = (counts.bodyBytes ?? 0) - Buffer.byteLength(own);
    const body = missing > 0 ? own + governmentParagraphs(padding, missing) : own;
    const daysBefore = (n: number) => new Date(publishedAt.getTime() - n * 86_400_000).toISOString().slice(0, 10);
    out.push({
      fixture: f,
      title: swapYear(f.title),
      body,
      docNumber,
      writtenAt: f.writtenAt ? daysBefore(5) : null,
      issuedAt: f.issuedAt ? daysBefore(2) : null,
      publishedAt,
      published,
    });
  }
  return out;
}

const INSERT_ITEMS = `
insert into item (id, site_id, column_id, kind, state, locale, translation_group_id, slug, title, head_number,
                  published_number, published_at, last_published_at, issued_at, index_number, created_at, updated_at)
select x.id, x.site_id, x.column_id, x.kind, x.state, x.locale, x.id, x.slug, x.title, 1,
       x.published_number, x.published_at, x.published_at, x.issued_at, x.index_number, x.created_at, x.updated_at
from jsonb_to_recordset($1::jsonb) as x(id uuid, site_id uuid, column_id uuid, kind text, state text, locale text,
     slug text, title text, published_number int, published_at timestamptz, issued_at date, index_number text,
     created_at timestamptz, updated_at timestamptz)`;
const INSERT_REVISIONS = `
insert into item_revision (id, item_id, site_id, number, content, body_text, content_hash, created_by_name, created_at)
select x.id, x.item_id, x.site_id, 1, x.content, x.body_text, x.content_hash, x.created_by_name, x.created_at
from jsonb_to_recordset($1::jsonb) as x(id uuid, item_id uuid, site_id uuid, content jsonb, body_text text,
     content_hash text, created_by_name text, created_at timestamptz)`;
const SET_REVISIONS = `
update item set head_revision_id = x.head_revision_id, published_revision_id = x.published_revision_id
from jsonb_to_recordset($1::jsonb) as x(id uuid, head_revision_id uuid, published_revision_id uuid)
where item.id = x.id`;
const INSERT_PLACEMENTS = `
insert into item_placement (item_id, column_id, site_id, item_site_id, home, live, published_at, created_at)
select x.item_id, x.column_id, x.site_id, x.item_site_id, x.home, x.live, x.published_at, x.created_at
from jsonb_to_recordset($1::jsonb) as x(item_id uuid, column_id uuid, site_id uuid, item_site_id uuid, home boolean,
     live boolean, published_at timestamptz, created_at timestamptz)`;

export interface SearchSeedResult {
  published: number;
  drafts: number;
  /** Document numbers of the seeded policy documents (the bench queries some). */
  docNumbers: string[];
  seconds: number;
}

/** Inserts the corpus and one pending search change per published item (one transaction). */
export async function seedSearchContent(
  c: PgClient,
  counts: SearchSeedCounts = DEFAULT_SEARCH_COUNTS,
): Promise<SearchSeedResult> {
  const started = Date.now();
  const { rows: sites } = await c.query<{ id: string; code: string; org: string }>(
    'select id, code, coalesce(organisation_code, site_id_code) as org from site',
  );
  const { rows: columns } = await c.query<{ id: string; site_id: string; path: string }>(
    'select id, site_id, path from site_column',
  );
  const siteId = new Map(sites.map((s) => [s.code, s.id]));
  const orgOf = new Map(sites.map((s) => [s.id, s.org]));
  const columnId = (site: string, path: string) => {
    const sid = siteId.get(site);
    const col = columns.find((k) => k.site_id === sid && k.path === path);
    if (!sid || !col) throw new Error(`the demo city has no column ${site} ${path}`);
    return col.id;
  };
  const indexSeq = new Map<string, number>();
  const iso = (d: Date | null) => d?.toISOString() ?? null;

  let items: Record<string, unknown>[] = [];
  let revisions: Record<string, unknown>[] = [];
  let placements: Record<string, unknown>[] = [];
  const docNumbers: string[] = [];
  // Written batch by batch (bounded memory at 100,000 items of ~3 KB), in one transaction.
  const BATCH = 500;
  const flush = async () => {
    await c.query(INSERT_ITEMS, [JSON.stringify(items)]);
    await c.query(INSERT_REVISIONS, [JSON.stringify(revisions)]);
    await c.query(SET_REVISIONS, [JSON.stringify(items)]);
    await c.query(INSERT_PLACEMENTS, [JSON.stringify(placements)]);
    items = [];
    revisions = [];
    placements = [];
  };
  await c.query('begin');
  try {
    for (const s of corpus(counts)) {
      const f = s.fixture;
      const id = randomUUID();
      const revisionId = randomUUID();
      const sid = siteId.get(f.site)!;
      const home = columnId(f.site, f.column);
      const created = new Date(s.publishedAt.getTime() - 3 * 3_600_000);
      const content = normaliseContent(null, {
        title: s.title,
        summary: f.summary,
        body: s.body,
        source: f.source,
        author: f.author,
        keywords: f.keywords,
        docNumber: s.docNumber,
        issuingBody: f.issuingBody ?? null,
        writtenAt: s.writtenAt,
        issuedAt: s.issuedAt,
        validity: f.validity ?? null,
      });
      let indexNumber: string | null = null;
      if (s.published && f.kind === 'POLICY_DOCUMENT') {
        const year = s.publishedAt.getUTCFullYear();
        const n = (indexSeq.get(`${sid}${year}`) ?? 0) + 1;
        indexSeq.set(`${sid}${year}`, n);
        indexNumber = `${orgOf.get(sid)}/${year}-${String(n).padStart(5, '0')}`;
      }
      if (s.published && s.docNumber) docNumbers.push(s.docNumber);
      items.push({
        id,
        site_id: sid,
        column_id: home,
        kind: f.kind,
        state: s.published ? 'PUBLISHED' : 'DRAFT',
        locale: f.locale,
        slug: id.slice(0, 8),
        title: s.title,
        published_number: s.published ? 1 : null,
        published_at: s.published ? iso(s.publishedAt) : null,
        issued_at: s.issuedAt,
        index_number: indexNumber,
        created_at: iso(created),
        updated_at: iso(s.published ? s.publishedAt : created),
        head_revision_id: revisionId,
        published_revision_id: s.published ? revisionId : null,
      });
      revisions.push({
        id: revisionId,
        item_id: id,
        site_id: sid,
        content,
        body_text: plainText(content.body),
        content_hash: contentHash(content),
        created_by_name: f.author,
        created_at: iso(created),
      });
      for (const [col, isHome] of [
        [home, true] as const,
        ...(f.alsoIn ?? []).map((p) => [columnId(f.site, p), false] as const),
      ]) {
        placements.push({
          item_id: id,
          column_id: col,
          site_id: sid,
          item_site_id: sid,
          home: isHome,
          live: s.published,
          published_at: s.published ? iso(s.publishedAt) : null,
          created_at: iso(created),
        });
      }
      if (items.length >= BATCH) await flush();
    }

    if (items.length) await flush();
    // What publishing writes in its transaction (recordSearchChanges): one change record per published item.
    await c.query(
      `insert into search_change (item_id, site_id, reason)
       select id, site_id, 'publish' from item where published_revision_id is not null order by published_at`,
    );
    await c.query('commit');
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  }
  await c.query('vacuum (analyze) item, item_revision, item_placement, search_change');
  return {
    published: counts.published,
    drafts: counts.drafts,
    docNumbers,
    seconds: (Date.now() - started) / 1000,
  };
}

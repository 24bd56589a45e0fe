/**
 * Search relevance against the real Meilisearch, on a corpus of ~230 realistic government items (see
 * fixtures/search-fixture.ts): document numbers first, Chinese words and their synonyms, typos in English words,
 * facet counts equal to the database's, newest-first order, disjoint pages, and never anything unpublished.
 *
 * The corpus is loaded through the core use cases (createItem, submitItem, three signOffs, withdrawItem) with
 * contexts for the demo staff whose clock is set to each item's date, so publishing dates span 2015–2025.
 */
import {
  type Actor,
  createItem,
  loadUserActor,
  makeCtx,
  plainText,
  signOff,
  submitItem,
  withdrawItem,
} from '@zhanqun/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureItem, type FixtureSite, PUBLISHED_FIXTURE, SEARCH_FIXTURE } from './fixtures/search-fixture.ts';
import { demo, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
/** Fixture key → item id, and back. */
const idOf = new Map<string, string>();
const itemOf = new Map<string, FixtureItem>();

// ---------------------------------------------------------------------------------------------------------------
// Loading

const MINUTE = 60_000;

async function loadFixture(app: TestApp): Promise<void> {
  const em = app.platform.orm.em.fork();
  const directory = await app.platform.directory.fresh();
  const actor = async (email: string): Promise<Actor> => {
    const [u] = await em.execute<{ id: string }[]>('select id from app_user where email = ?', [email]);
    if (!u) throw new Error(`no demo user ${email}`);
    return loadUserActor(em, u.id, new Date());
  };
  const at = (who: Actor, when: number) =>
    makeCtx({ actor: who, rootEm: app.platform.orm.em, directory, now: () => new Date(when) });

  const loadSite = async (site: FixtureSite) => {
    const [editor, reviewer, approver] = await Promise.all([
      actor(demo.editor(site)),
      actor(demo.reviewer(site)),
      actor(demo.approver(site)),
    ]);
    for (const f of SEARCH_FIXTURE.filter((i) => i.site === site)) {
      const publishAt = Date.parse(f.publishedAt);
      const start = publishAt - 180 * MINUTE;
      const item = await createItem(at(editor, start), {
        site,
        column: f.column,
        alsoIn: f.alsoIn,
        kind: f.kind,
        locale: f.locale,
        title: f.title,
        summary: f.summary,
        body: f.body,
        keywords: f.keywords,
        source: f.source,
        author: f.author,
        docNumber: f.docNumber,
        issuingBody: f.issuingBody,
        writtenAt: f.writtenAt,
        issuedAt: f.issuedAt,
        validity: f.validity,
        interprets: f.interprets?.map((k) => idOf.get(k)!),
      });
      idOf.set(f.key, item.id);
      itemOf.set(item.id, f);
      if (f.state === 'DRAFT') continue;
      await submitItem(at(editor, start + 10 * MINUTE), item.id);
      if (f.state === 'FIRST_REVIEW') continue;
      await signOff(at(editor, start + 20 * MINUTE), { id: item.id, opinion: '初审通过' });
      await signOff(at(reviewer, start + 60 * MINUTE), { id: item.id, opinion: '审核通过' });
      if (f.state === 'SIGN_OFF') continue;
      await signOff(at(approver, publishAt), { id: item.id, opinion: '同意发布' });
      if (f.state === 'WITHDRAWN')
        await withdrawItem(at(approver, publishAt + 1_440 * MINUTE), { id: item.id, reason: '信息有误，撤回更正' });
    }
  };
  // Sites are independent (separate audit chains), so they load side by side.
  await Promise.all((['panzhihua', 'miyi', 'edu'] as const).map(loadSite));
}

beforeAll(async () => {
  t = await startTestApp({ search: true });
  const started = Date.now();
  await loadFixture(t);
  const loaded = Date.now();
  const delivered = await t.syncSearch();
  console.log(
    `[figures] search fixture: ${SEARCH_FIXTURE.length} items (${PUBLISHED_FIXTURE.length} published) loaded in ` +
      `${((loaded - started) / 1000).toFixed(1)} s, delivered to Meilisearch in ${((Date.now() - loaded) / 1000).toFixed(1)} s`,
  );
  expect(delivered.upserted).toBeGreaterThanOrEqual(PUBLISHED_FIXTURE.length);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const SEARCH = `query($q: String!, $s: String, $scope: SearchScope, $f: SearchFilters, $sort: SearchSort, $first: Int, $after: String) {
  search(query: $q, site: $s, scope: $scope, filters: $f, sort: $sort, first: $first, after: $after) {
    estimatedTotalHits
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind title docNumber publishedAt site { code } } }
    facets { kind { value count } year { value count } column { value count } site { value count } }
  } }`;

interface Hit {
  id: string;
  kind: string;
  title: string;
  docNumber: string | null;
  publishedAt: string;
  site: { code: string };
}
interface Facet {
  value: string;
  count: number;
}
interface Result {
  estimatedTotalHits: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Hit }[];
  facets: Record<'kind' | 'year' | 'column' | 'site', Facet[]>;
}

/** Anonymous search; the city portal's cluster by default. */
async function search(vars: Record<string, unknown>): Promise<{ hits: Hit[]; result: Result }> {
  const r = await t.gql<{ search: Result }>(SEARCH, { s: 'panzhihua', scope: 'CLUSTER', first: 10, ...vars });
  expect(r.errors).toBeUndefined();
  return { hits: r.data!.search.edges.map((e) => e.node), result: r.data!.search };
}

/** Everything a search document is built from, as text. */
function textOf(f: FixtureItem): string {
  return [f.title, f.summary, plainText(f.body), ...f.keywords, f.docNumber, f.issuingBody].filter(Boolean).join('\n');
}
const fixtureOf = (id: string) => {
  const f = itemOf.get(id);
  if (!f) throw new Error(`hit ${id} is not a fixture item`);
  return f;
};
const facetMap = (xs: Facet[]) => Object.fromEntries(xs.map((x) => [x.value, x.count]));

async function sql<R>(text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: t.db.adminUrl });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as R[];
  } finally {
    await c.end();
  }
}

interface LiveRow {
  id: string;
  kind: string;
  year: number;
  column_id: string;
  site_id: string;
  site_code: string;
  published_at: Date;
}
/** The public items as the database has them: published, not withdrawn. */
const liveRows = () =>
  sql<LiveRow>(
    `select i.id, i.kind, extract(year from i.published_at at time zone 'Asia/Shanghai')::int as year,
            i.column_id, i.site_id, s.code as site_code, i.published_at
       from item i join site s on s.id = i.site_id
      where i.published_revision_id is not null and i.withdrawn_at is null
      order by i.published_at desc, i.id desc`,
  );
const countBy = <T>(rows: T[], key: (r: T) => string) => {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
};

// ---------------------------------------------------------------------------------------------------------------

describe('document numbers', () => {
  it.each(['攀办发〔2015〕49号', '攀办函〔2017〕122号', '米府发〔2024〕12号', '攀教发〔2023〕7号'])(
    '%s finds that document first in the city portal’s cluster search',
    async (q) => {
      const { hits } = await search({ q });
      console.log(
        `[relevance] ${q}: ${hits
          .slice(0, 3)
          .map((h) => `${h.docNumber ?? '-'} ${h.title}`)
          .join(' | ')}`,
      );
      expect(hits[0]?.docNumber).toBe(q);
      expect(hits.filter((h) => h.docNumber === q)).toHaveLength(1);
    },
  );

  it.each([
    ['攀办发[2015]49号', '攀办发〔2015〕49号'],
    ['攀办发(2015)49号', '攀办发〔2015〕49号'],
    ['攀办发2015年49号', '攀办发〔2015〕49号'],
    ['攀办函122号', '攀办函〔2017〕122号'],
  ])('%s (typed the way people type it) still finds %s first', async (q, docNumber) => {
    const { hits } = await search({ q });
    expect(hits[0]?.docNumber).toBe(docNumber);
  });

  it('finds the real seed documents by number on the city portal alone, with their real titles', async () => {
    const a = await search({ q: '攀办发〔2015〕49号', scope: 'SITE' });
    expect(a.hits[0]?.title).toBe('攀枝花市人民政府办公室关于加强政府网站信息内容建设的实施意见');
    const b = await search({ q: '攀办函〔2017〕122号', scope: 'SITE' });
    expect(b.hits[0]?.title).toBe('攀枝花市人民政府办公室关于进一步加强全市政务公开工作和政府网站建设的通知');
  });
});

describe('Chinese words', () => {
  const cases: [string, string[]][] = [
    ['乡村振兴', []],
    ['义务教育', ['义教']],
    ['安全生产', []],
    ['政务公开', ['信息公开', '政府信息公开']],
    ['医保', ['医疗保障', '医疗保险']],
  ];
  it.each(cases)('%s ranks every item that says it (or a synonym) before anything else', async (word, synonyms) => {
    const terms = [word, ...synonyms];
    const relevant = PUBLISHED_FIXTURE.filter((f) => terms.some((w) => textOf(f).includes(w)));
    const { hits, result } = await search({ q: word, first: 50 });
    const isRelevant = (h: Hit) => terms.some((w) => textOf(fixtureOf(h.id)).includes(w));
    const top = hits.slice(0, Math.min(relevant.length, 50));
    const misses = top.filter((h) => !isRelevant(h)).map((h) => h.title);
    console.log(
      `[relevance] ${word}: ${relevant.length} relevant, ${result.estimatedTotalHits} hits; ` +
        `top 3: ${hits
          .slice(0, 3)
          .map((h) => h.title)
          .join(' | ')}; irrelevant among the first ${top.length}: ${misses.length}`,
    );
    expect(misses).toEqual([]);
    expect(top.length).toBe(Math.min(relevant.length, 50));
  });

  it('政务公开 also finds items that only say 信息公开 (synonyms)', async () => {
    const { hits } = await search({ q: '政务公开', first: 50 });
    const onlySynonym = hits.filter((h) => {
      const text = textOf(fixtureOf(h.id));
      return !text.includes('政务公开') && text.includes('信息公开');
    });
    expect(onlySynonym.length).toBeGreaterThan(0);
    expect(onlySynonym.map((h) => h.title)).toContain('攀枝花市人民政府2018年政府信息公开工作年度报告');
  });
});

describe('typos', () => {
  it('“Panzhihau” still finds the English items about Panzhihua', async () => {
    const { hits } = await search({ q: 'Panzhihau' });
    const expected = PUBLISHED_FIXTURE.filter((f) => f.locale === 'en' && textOf(f).includes('Panzhihua'));
    expect(hits.map((h) => h.id).sort()).toEqual(expected.map((f) => idOf.get(f.key)!).sort());
  });

  it('“enrollment” finds the item that spells it “enrolment”, first', async () => {
    const { hits } = await search({ q: 'enrollment' });
    expect(hits[0]?.title).toMatch(/enrolment/);
    expect(hits.map((h) => h.title)).toContain('Panzhihua Municipal Education Bureau announces school enrolment');
    const both = await search({ q: 'Panzhihau school enrollment' });
    expect(both.hits[0]?.title).toBe('Panzhihua Municipal Education Bureau announces school enrolment');
  });
});

describe('facets', () => {
  it('count kinds, years, columns and sites exactly as the database does (cluster, no query)', async () => {
    const rows = await liveRows();
    const { result } = await search({ q: '', first: 0 });
    expect(result.estimatedTotalHits).toBe(rows.length);
    expect(facetMap(result.facets.kind)).toEqual(countBy(rows, (r) => r.kind));
    expect(facetMap(result.facets.year)).toEqual(countBy(rows, (r) => String(r.year)));
    expect(facetMap(result.facets.column)).toEqual(countBy(rows, (r) => r.column_id));
    expect(facetMap(result.facets.site)).toEqual(countBy(rows, (r) => r.site_id));
  });

  it('agree with the database under a filter and in a county portal’s own scope', async () => {
    const rows = await liveRows();
    const policies = rows.filter((r) => r.kind === 'POLICY_DOCUMENT');
    const f = await search({ q: '', first: 0, f: { kind: ['POLICY_DOCUMENT'] } });
    expect(f.result.estimatedTotalHits).toBe(policies.length);
    expect(facetMap(f.result.facets.year)).toEqual(countBy(policies, (r) => String(r.year)));
    expect(facetMap(f.result.facets.site)).toEqual(countBy(policies, (r) => r.site_id));

    const miyi = rows.filter((r) => r.site_code === 'miyi');
    const m = await search({ q: '', first: 0, s: 'miyi', scope: 'SITE' });
    expect(m.result.estimatedTotalHits).toBe(miyi.length);
    expect(facetMap(m.result.facets.kind)).toEqual(countBy(miyi, (r) => r.kind));
    expect(facetMap(m.result.facets.year)).toEqual(countBy(miyi, (r) => String(r.year)));
    expect(facetMap(m.result.facets.column)).toEqual(countBy(miyi, (r) => r.column_id));
  });

  it('a column filter covers the column’s subtree and every placement (alsoIn)', async () => {
    const [col] = await sql<{ id: string }>(
      `select c.id from site_column c join site s on s.id = c.site_id where s.code = 'panzhihua' and c.path = '/zc'`,
    );
    const [{ n }] = (await sql<{ n: number }>(
      `select count(distinct p.item_id)::int as n
         from item_placement p join site_column c on c.id = p.column_id join site s on s.id = c.site_id
         join item i on i.id = p.item_id
        where s.code = 'panzhihua' and (c.path = '/zc' or c.path like '/zc/%') and p.live and i.withdrawn_at is null`,
    )) as [{ n: number }];
    const { result } = await search({ q: '', first: 0, f: { column: [col!.id] } });
    expect(n).toBeGreaterThan(30);
    expect(result.estimatedTotalHits).toBe(n);
  });
});

describe('order and pages', () => {
  it('NEWEST is by publishing date, as the database orders it', async () => {
    const rows = await liveRows();
    const { hits } = await search({ q: '', sort: 'NEWEST', first: 20 });
    expect(hits.map((h) => h.id)).toEqual(rows.slice(0, 20).map((r) => r.id));
    const oldest = await search({ q: '', sort: 'OLDEST', first: 5 });
    expect(oldest.hits.map((h) => h.id)).toEqual(
      rows
        .slice(-5)
        .reverse()
        .map((r) => r.id),
    );
    // With a query, every item holding all the query's words comes first, newest first; partial matches follow.
    const withQuery = await search({ q: '乡村振兴', sort: 'NEWEST', first: 50 });
    const says = (h: Hit) => textOf(fixtureOf(h.id)).includes('乡村振兴');
    const full = withQuery.hits.filter(says);
    console.log(
      `[relevance] 乡村振兴 NEWEST: ${withQuery.hits.map((h) => `${h.publishedAt.slice(0, 10)}${says(h) ? '' : ` (partial: ${h.title})`}`).join(', ')}`,
    );
    expect(full.length).toBeGreaterThan(10);
    expect(withQuery.hits.slice(0, full.length)).toEqual(full);
    const times = full.map((h) => Date.parse(h.publishedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('first/after pages are disjoint and follow on from each other', async () => {
    const whole = await search({ q: '安全生产', first: 12 });
    const p1 = await search({ q: '安全生产', first: 6 });
    const p2 = await search({ q: '安全生产', first: 6, after: p1.result.pageInfo.endCursor });
    const ids1 = p1.hits.map((h) => h.id);
    const ids2 = p2.hits.map((h) => h.id);
    expect(ids1).toHaveLength(6);
    expect(ids2).toHaveLength(6);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    expect([...ids1, ...ids2]).toEqual(whole.hits.map((h) => h.id));
  });

  it('walking every page of the cluster yields each published item once — and nothing unpublished', async () => {
    const rows = await liveRows();
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { hits, result } = await search({ q: '', sort: 'NEWEST', first: 50, after });
      seen.push(...hits.map((h) => h.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(rows.map((r) => r.id));
    const hidden = SEARCH_FIXTURE.filter((f) => f.state !== 'PUBLISHED').map((f) => idOf.get(f.key)!);
    expect(hidden.length).toBeGreaterThanOrEqual(7);
    expect(seen.filter((id) => hidden.includes(id))).toEqual([]);
  });
});

describe('never anything unpublished', () => {
  it('drafts, items under review and withdrawn items are not found even by their own titles', async () => {
    for (const f of SEARCH_FIXTURE.filter((i) => i.state !== 'PUBLISHED')) {
      const { hits } = await search({ q: f.title, first: 50 });
      expect(hits.map((h) => h.id)).not.toContain(idOf.get(f.key));
    }
    const { hits } = await search({ q: '攀办发〔2025〕49号' });
    expect(hits.map((h) => h.docNumber)).not.toContain('攀办发〔2025〕49号');
  });
});

/**
 * The bare floor: the least a Fastify + Mercurius + pg server can do to give the same answers as our API, from a
 * plain table of the same rows — `articles(id, column_id, kind, title, summary, source, doc_number, body,
 * published, published_at, …)` with one index `(column_id, published_at desc, id desc) where published`, filled
 * by the seed with exactly our published content. Its schema has the same field names as ours for the queries
 * the bench sends, so the same request gets the same JSON. One pool (as the schema owner: no row-level
 * security), named prepared statements, no auth, no site resolution, no rate limit, no ORM; the column paths are
 * resolved from a map loaded at start. Same library versions as services/api.
 *
 * Run by bench/run.ts in a child process; `node bench/floor.ts` alone does nothing.
 */
import { serveAsChild } from './lib/child.ts';
import { libs } from './lib/deps.ts';

export interface FloorConfig {
  /** The schema owner's URL (bypasses RLS). */
  ownerUrl: string;
  /** Connections in the pool; the API's DATABASE_POOL_MAX default is 10, so is this. */
  poolMax: number;
}

const schema = `
  type Query {
    items(site: String!, column: String, first: Int): ItemConnection!
    item(id: ID!): Item
    route(host: String!, path: String!): Route
  }
  union Route = ItemPage
  type ItemPage { status: Int!, column: PageColumn!, item: Item!, meta: PageMeta! }
  type PageColumn { name: String!, path: String! }
  type PageMeta {
    SiteName: String!
    SiteIDCode: String!
    ColumnName: String
    ArticleTitle: String
    ContentSource: String
  }
  type ItemConnection { edges: [ItemEdge!]! }
  type ItemEdge { node: Item! }
  type Item {
    id: ID!
    kind: String!
    title: String!
    summary: String
    source: String
    docNumber: String
    publishedAt: String
    body: String!
  }
`;

const LIST = `select id, kind, title, summary, source, doc_number, published_at
  from articles where column_id = $1 and published order by published_at desc, id desc limit $2`;
const ONE = `select id, kind, title, summary, source, doc_number, published_at, body
  from articles where id = $1 and published`;

// An item page by its address, with its column and the site's name and identifier code — from the host name and
// the path, as a Fastify + pg user would write it: one statement over the plain table and the site tables.
const PAGE = `select a.id, a.kind, a.title, a.summary, a.source, a.doc_number, a.published_at, a.body,
       c.name as column_name, c.path as column_path, s.name as site_name, s.site_id_code
  from site_domain d
  join site s on s.id = d.site_id
  join site_column c on c.site_id = s.id and c.path = $2
  join articles a on a.column_id = c.id and a.slug = $3 and a.published
 where d.host = $1`;
const ITEM_PATH = /^(\/.+)\/([\w-]+)\.html$/;

interface Row {
  id: string;
  kind: string;
  title: string;
  summary: string | null;
  source: string | null;
  doc_number: string | null;
  published_at: Date;
  body?: string;
}

interface PageRow {
  column_name: string;
  column_path: string;
  site_name: string;
  site_id_code: string;
}

const toItem = (r: Row) => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  summary: r.summary,
  source: r.source,
  docNumber: r.doc_number,
  publishedAt: r.published_at.toISOString(),
  body: r.body,
});

export async function startFloor(config: FloorConfig): Promise<{ url: string; close(): Promise<void> }> {
  const [Fastify, mercurius, pg] = await Promise.all([libs.fastify(), libs.mercurius(), libs.pg()]);
  const pool = new pg.Pool({ connectionString: config.ownerUrl, max: config.poolMax });
  const { rows: cols } = await pool.query<{ id: string; code: string; path: string }>(
    'select c.id, s.code, c.path from site_column c join site s on s.id = c.site_id',
  );
  const columnId = new Map(cols.map((c) => [`${c.code} ${c.path}`, c.id]));
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema,
    resolvers: {
      Route: { resolveType: () => 'ItemPage' },
      Query: {
        items: async (_: unknown, a: { site: string; column: string; first?: number }) => {
          const id = columnId.get(`${a.site} ${a.column}`);
          if (!id) return { edges: [] };
          const { rows } = await pool.query<Row>({ name: 'list', text: LIST, values: [id, a.first ?? 20] });
          return { edges: rows.map((r) => ({ node: toItem(r) })) };
        },
        route: async (_: unknown, a: { host: string; path: string }) => {
          const m = ITEM_PATH.exec(a.path);
          if (!m) return null;
          const { rows } = await pool.query<Row & PageRow>({ name: 'page', text: PAGE, values: [a.host, m[1], m[2]] });
          const r = rows[0];
          if (!r) return null;
          return {
            status: 200,
            column: { name: r.column_name, path: r.column_path },
            item: toItem(r),
            meta: {
              SiteName: r.site_name,
              SiteIDCode: r.site_id_code,
              ColumnName: r.column_name,
              ArticleTitle: r.title,
              ContentSource: r.source,
            },
          };
        },
        item: async (_: unknown, a: { id: string }) => {
          const { rows } = await pool.query<Row>({ name: 'one', text: ONE, values: [a.id] });
          return rows[0] ? toItem(rows[0]) : null;
        },
      },
    },
    path: '/graphql',
    graphiql: false,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await pool.end();
    },
  };
}

if (import.meta.main && process.send) serveAsChild(startFloor);

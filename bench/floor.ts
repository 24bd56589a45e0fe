/**
 * The bare floor: the least any Fastify + Mercurius + pg server can do to answer "the 20 newest published
 * items of a column". One pool (as the schema owner, so no row-level security), one named prepared statement,
 * no auth, no site resolution, no rate limit, no ORM. Same library versions as services/api.
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

export const FLOOR_QUERY =
  'query($c: ID!, $n: Int!) { columnItems(columnId: $c, first: $n) { id title publishedAt summary } }';

const schema = `
  type Query { columnItems(columnId: ID!, first: Int!): [Item!]! }
  type Item { id: ID! title: String! publishedAt: String! summary: String }
`;

const SQL = `select i.id, r.content->>'title' as title, r.content->>'summary' as summary, p.published_at
  from item_placement p
  join item i on i.id = p.item_id
  join item_revision r on r.id = i.published_revision_id
 where p.column_id = $1 and p.live
 order by p.published_at desc
 limit $2`;

interface Row {
  id: string;
  title: string;
  summary: string | null;
  published_at: Date;
}

export async function startFloor(config: FloorConfig): Promise<{ url: string; close(): Promise<void> }> {
  const [Fastify, mercurius, pg] = await Promise.all([libs.fastify(), libs.mercurius(), libs.pg()]);
  const pool = new pg.Pool({ connectionString: config.ownerUrl, max: config.poolMax });
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema,
    resolvers: {
      Query: {
        columnItems: async (_: unknown, args: { columnId: string; first: number }) => {
          const { rows } = await pool.query<Row>({
            name: 'column-items',
            text: SQL,
            values: [args.columnId, args.first],
          });
          return rows.map((r) => ({
            id: r.id,
            title: r.title,
            summary: r.summary,
            publishedAt: r.published_at.toISOString(),
          }));
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

import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  isListType,
  getNullableType,
} from 'graphql';

/**
 * Cost = fields weighted by how many times they can repeat: a connection counts `first` (default 20) times its
 * children, a plain list 10 times. Computed before execution, so a huge query is refused before it costs anything.
 */
/**
 * Root fields that call out to another service cost that round trip on top of what they return: 3,000 aliased
 * `search` fields once cost 6,000 points while they kept Meilisearch and the event loop busy for seconds.
 */
export const CALLOUT_COST: Record<string, number> = {
  'Query.search': 1000,
  'Query.searchDrafts': 1000,
  'Query.searchKey': 100,
};

const estimator: ComplexityEstimator = (options) =>
  (CALLOUT_COST[`${options.type.name}.${options.field.name}`] ?? 0) + shapeCost(options);

const shapeCost = ({ type, field, args, childComplexity }: Parameters<ComplexityEstimator>[0]): number => {
  const returns = getNullableType(field.type);
  const isConnection = getNamedType(returns).name.endsWith('Connection');
  if (isConnection) return 1 + (typeof args.first === 'number' ? args.first : 20) * Math.max(childComplexity, 1);
  // A connection's edges are already counted by its `first`.
  if (type.name.endsWith('Connection')) return 1 + childComplexity;
  if (isListType(returns)) return 1 + 10 * Math.max(childComplexity, 1);
  return 1 + childComplexity;
};

/**
 * Mercurius reuses the parsed document of a repeated query, so the cost is computed once per document and per
 * set of numeric variables (the only ones that change it): no per-request AST walk on the hot path.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();

function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): number {
  const numeric = variables ? Object.entries(variables).filter(([, v]) => typeof v === 'number') : [];
  const key = JSON.stringify(numeric);
  let perDoc = costs.get(document);
  const hit = perDoc?.get(key);
  if (hit !== undefined) return hit;
  const cost = getComplexity({ schema, query: document, variables, estimators: [estimator] });
  if (!perDoc) {
    perDoc = new Map();
    costs.set(document, perDoc);
  }
  if (perDoc.size < 100) perDoc.set(key, cost);
  return cost;
}

export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  max: number,
): void {
  const cost = costOf(schema, document, variables);
  if (cost > max) {
    throw new GraphQLError(`Query is too complex: cost ${cost}, limit ${max}. Ask for fewer fields or smaller pages.`, {
      extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', cost, limit: max },
    });
  }
}

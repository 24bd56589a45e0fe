import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Bounds on the query document itself, checked before anything runs (issue 7: one request must not hog the
 * event loop). The token limit stops the parser early (graphql's `maxTokens`); the root-field and alias
 * limits are a validation rule, so Mercurius runs them once per distinct document and caches the verdict.
 */
export const DOCUMENT_LIMITS = {
  /** graphql `parse` gives up past this many tokens; GraphiQL's introspection query has about 400. */
  maxTokens: 5000,
  /** Root fields of one operation, counted through fragments (a theme's home page asks for a dozen lists). */
  maxRootFields: 30,
  /** Aliased fields anywhere in the document. */
  maxAliases: 100,
} as const;

const tooLarge = (message: string, extra: Record<string, number>) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_LARGE', ...extra } });

function rootFieldCount(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string> = new Set(),
): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += 1;
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += rootFieldCount(sel.selectionSet, fragments, seen);
    else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // A fragment spread twice adds its fields twice (aliases make that real work); cycles are refused by graphql.
      if (frag && !seen.has(name)) n += rootFieldCount(frag.selectionSet, fragments, new Set([...seen, name]));
    }
  }
  return n;
}

export function documentLimitsRule(limits = DOCUMENT_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const doc = context.getDocument();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      OperationDefinition(node) {
        const roots = rootFieldCount(node.selectionSet, fragments);
        if (roots > limits.maxRootFields) {
          context.reportError(
            tooLarge(`An operation may ask for at most ${limits.maxRootFields} root fields (this one: ${roots})`, {
              rootFields: roots,
              limit: limits.maxRootFields,
            }),
          );
        }
      },
      Document: {
        leave() {
          if (aliases > limits.maxAliases) {
            context.reportError(
              tooLarge(`A query may use at most ${limits.maxAliases} aliases (this one: ${aliases})`, {
                aliases,
                limit: limits.maxAliases,
              }),
            );
          }
        },
      },
    };
  };
}

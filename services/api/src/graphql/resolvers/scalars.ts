import { GraphQLScalarType, Kind } from 'graphql';

const parseDateTime = (v: unknown) => {
  const d = new Date(String(v));
  if (typeof v !== 'string' || Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
  return d;
};

export const scalars = {
  DateTime: new GraphQLScalarType({
    name: 'DateTime',
    serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
  Date: new GraphQLScalarType({
    name: 'Date',
    serialize: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10)),
    parseValue: (v) => {
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new TypeError('Date must be YYYY-MM-DD');
      return v;
    },
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING || !/^\d{4}-\d{2}-\d{2}$/.test(ast.value))
        throw new TypeError('Date must be YYYY-MM-DD');
      return ast.value;
    },
  }),
  JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v }),
};

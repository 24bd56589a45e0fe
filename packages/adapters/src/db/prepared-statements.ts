import { createHash } from 'node:crypto';
import { PREPARED_STATEMENT } from '@zhanqun/core';
import type pg from 'pg';

/**
 * Texts marked PREPARED_STATEMENT by core run as named prepared statements, parsed once per connection (issue 11:
 * an import's full batches, ADR 0015). Kysely sends every query as `client.query(text, values)`, unnamed; on each
 * new connection of the pool this wraps `query` so that a marked text is sent as `{ name, text, values }`. pg parses a
 * name once per connection (and forgets it again if the parse fails). Other texts are untouched.
 *
 * Bounded: at most MAX_NAMES distinct marked texts get a name in this process; further ones run unnamed, so a caller
 * that marked texts that do not repeat could not fill PostgreSQL's memory with statements.
 */
const MAX_NAMES = 32;
const names = new Map<string, string>();

/** The statement name of a marked text (a hash of it), or null when MAX_NAMES are taken. */
export function statementName(text: string): string | null {
  const known = names.get(text);
  if (known) return known;
  if (names.size >= MAX_NAMES) return null;
  const name = `zq_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name;
}

type Query = (...args: unknown[]) => unknown;

/** Sends a marked text of `client` as a named statement (see above). */
export function prepareMarkedStatements(client: pg.Client): void {
  const query = client.query as unknown as Query;
  (client as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
    const [text, values, callback] = args;
    if (
      typeof text === 'string' &&
      text.startsWith(PREPARED_STATEMENT) &&
      Array.isArray(values) &&
      args.length <= 3 &&
      (callback === undefined || typeof callback === 'function')
    ) {
      const name = statementName(text);
      if (name)
        return callback ? query.call(this, { name, text, values }, callback) : query.call(this, { name, text, values });
    }
    return query.apply(this, args);
  };
}

/** For the ORM's pool (`driverOptions.onPoolCreated`): every connection it opens prepares the marked texts. */
export function preparedStatementsOn(pool: pg.Pool): void {
  pool.on('connect', (client) => prepareMarkedStatements(client));
}

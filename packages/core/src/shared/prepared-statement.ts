/**
 * A statement text that starts with this comment is one its caller sends many times over, word for word (an import's
 * full staged batch, its full applied batch): the database adapter prepares it once per connection as a named
 * statement, and later runs send only the values (issue 11: throughput). A staged batch of 250 records — a VALUES
 * list of 2,250 bound parameters — took PostgreSQL 4.4 ms to parse and more to plan, every batch; named, PostgreSQL
 * parses it once and, after its first five runs, keeps a generic plan (ADR 0015, eleventh round). Only texts that
 * repeat get the mark: each named statement stays in its connection's memory. Without an adapter that knows the
 * mark, it is a comment.
 */
export const PREPARED_STATEMENT = '/* zq:prepared */ ';

/** `sql` marked as a statement worth preparing (PREPARED_STATEMENT) when `repeats`, else as it is. */
export const preparedWhen = (repeats: boolean, sql: string): string => (repeats ? PREPARED_STATEMENT + sql : sql);

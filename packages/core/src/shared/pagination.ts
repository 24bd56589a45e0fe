import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../errors/app-error.ts';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

export function encodeCursor(value: string | number): string {
  return Buffer.from(JSON.stringify([value]), 'utf8').toString('base64url');
}

/**
 * What a cursor position must look like before it reaches SQL. A cursor is client input: one that decodes but
 * holds the wrong kind of value (a word where a sequence number goes, a date that is no date) must be refused
 * as INVALID_INPUT here, not fail as a database error (500) later.
 */
export type CursorKind = 'text' | 'integer' | 'datetime' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const cursorChecks: Record<CursorKind, (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.length <= 200,
  integer: (v) => (typeof v === 'string' && /^\d{1,18}$/.test(v)) || (Number.isSafeInteger(v) && (v as number) >= 0),
  datetime: (v) => typeof v === 'string' && ISO_DATETIME.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
};

const malformed = () => new AppError('INVALID_INPUT', 'Malformed cursor', { field: 'after' });

function parseCursor(cursor: string): unknown {
  if (cursor.length > 1000) throw malformed();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
}

export function decodeCursor(cursor: string, kind: CursorKind): string | number {
  const v = parseCursor(cursor);
  if (Array.isArray(v) && v.length === 1 && cursorChecks[kind](v[0])) return v[0] as string | number;
  throw malformed();
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw new AppError('INVALID_INPUT', `first must be between 0 and ${MAX_PAGE}`, { field: 'first' });
  }
  return first;
}

/**
 * Keyset pagination on one unique key (Relay `first/after`): one query, fetching one row more than asked to
 * know whether there is a next page.
 */
export async function pageOf<T extends object>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  opts: {
    where: FilterQuery<T>;
    orderBy: keyof T & string;
    /** What the order key holds, so a cursor of the wrong shape is refused before SQL. */
    cursor: CursorKind;
    direction?: 'asc' | 'desc';
    args: PageArgs;
  },
): Promise<Page<T>> {
  const limit = pageSize(opts.args.first);
  const dir = opts.direction ?? 'asc';
  const after = opts.args.after ? decodeCursor(opts.args.after, opts.cursor) : undefined;
  const where = (
    after === undefined
      ? opts.where
      : { $and: [opts.where, { [opts.orderBy]: { [dir === 'asc' ? '$gt' : '$lt']: after } }] }
  ) as FilterQuery<T>;
  const rows = (await em.find(entity, where, {
    orderBy: { [opts.orderBy]: dir },
    limit: limit + 1,
  } as never)) as T[];
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursor((n as Record<string, string | number>)[opts.orderBy] as string | number)),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== undefined,
  };
}

/** Cursors over composite keys (e.g. [publishedAt, id]). */
export function encodeCursorValue(value: unknown[]): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursorValue(cursor: string, kinds: CursorKind[]): (string | number)[] {
  const v = parseCursor(cursor);
  if (Array.isArray(v) && v.length === kinds.length && kinds.every((k, i) => cursorChecks[k](v[i])))
    return v as (string | number)[];
  throw malformed();
}

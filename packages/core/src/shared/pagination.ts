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

export function decodeCursor(cursor: string): string | number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 1 && (typeof v[0] === 'string' || typeof v[0] === 'number')) return v[0];
  } catch {
    /* fall through */
  }
  throw new AppError('INVALID_INPUT', 'Malformed cursor', { field: 'after' });
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
  opts: { where: FilterQuery<T>; orderBy: keyof T & string; direction?: 'asc' | 'desc'; args: PageArgs },
): Promise<Page<T>> {
  const limit = pageSize(opts.args.first);
  const dir = opts.direction ?? 'asc';
  const after = opts.args.after ? decodeCursor(opts.args.after) : undefined;
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

export function decodeCursorValue(cursor: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    /* fall through */
  }
  throw new AppError('INVALID_INPUT', 'Malformed cursor', { field: 'after' });
}

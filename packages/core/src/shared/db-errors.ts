import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '../errors/app-error.ts';
import type { ErrorReason } from '../errors/catalogue.ts';

/** PostgreSQL's unique_violation (23505), as the driver raises it or as the ORM wraps it. */
export const isUniqueViolation = (e: unknown): boolean =>
  e instanceof UniqueConstraintViolationException || (e as { code?: unknown } | null)?.code === '23505';

/**
 * Unique constraints are the source of truth for uniqueness (two concurrent requests cannot both pass a
 * pre-check). This turns a violation of a known constraint into a CONFLICT that names the field.
 */
export async function mapUniqueViolations<T>(
  work: () => Promise<T>,
  known: Record<string, { field: string; message: string; reason?: ErrorReason }>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) {
      const constraint = (e as unknown as { constraint?: string }).constraint ?? '';
      const hit = known[constraint];
      if (hit) throw new AppError(hit.reason ?? 'CONFLICT', hit.message, { field: hit.field });
      throw new AppError('CONFLICT', 'This record clashes with an existing one');
    }
    throw e;
  }
}

import { type ErrorKind, errorReasons, type ErrorReason } from './catalogue.ts';

/**
 * Errors are data. Core throws an AppError with a stable `reason` (a specific code from the catalogue);
 * the reason's `kind` is what the edge maps to a GraphQL `extensions.code` or an HTTP status.
 */
export class AppError extends Error {
  readonly reason: ErrorReason;
  readonly kind: ErrorKind;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(reason: ErrorReason, message?: string, opts: { field?: string; details?: Record<string, unknown> } = {}) {
    super(message ?? errorReasons[reason].message);
    this.name = 'AppError';
    this.reason = reason;
    this.kind = errorReasons[reason].kind;
    this.field = opts.field;
    this.details = opts.details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export function badInput(field: string, message: string, reason: ErrorReason = 'INVALID_INPUT'): AppError {
  return new AppError(reason, message, { field });
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found`);
}

export function forbidden(message?: string): AppError {
  return new AppError('FORBIDDEN', message);
}

import { AppError } from '../errors/app-error.ts';

/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from the code's 31-character alphabet (digits and capitals
 * without I, O, S, V, Z) — 1 registration authority, 1 organisation type, 6 administrative division,
 * 9 organisation code (GB 11714), 1 check character computed from the first 17 (weights 3^i mod 31).
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export const CREDIT_CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character for the first 17 characters, or null when one is outside the alphabet. */
export function creditCodeCheck(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i] ?? '');
    if (v < 0) return null;
    sum += v * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Whether a string is a well-formed 统一社会信用代码 whose check character holds. */
export function isValidCreditCode(code: string): boolean {
  return CREDIT_CODE_SHAPE.test(code) && creditCodeCheck(code.slice(0, 17)) === code[17];
}

/**
 * 2015 §9 one site per organisation, enforced by the organisation's 统一社会信用代码 (GB 32100-2015): required,
 * and its check character must hold. A second site for the same code is refused whatever its name
 * (unique index site_organisation_code_uq → ONE_SITE_PER_ORGANISATION).
 */
export function requireCreditCode(code: string | null | undefined, required = true): string | null {
  if (!code) {
    if (!required) return null;
    throw new AppError('INVALID_INPUT', 'organisation.code: the organisation’s 统一社会信用代码 is required', {
      field: 'organisation.code',
    });
  }
  if (!isValidCreditCode(code)) throw new AppError('INVALID_CREDIT_CODE', undefined, { field: 'organisation.code' });
  return code;
}

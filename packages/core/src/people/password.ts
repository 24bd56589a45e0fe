import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../errors/app-error.ts';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// scrypt (RFC 7914) from Node's own crypto: memory-hard, no native add-on to build. N=2^15, r=8 ≈ 32 MiB, ~60 ms.
const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFKC'), salt, KEY_LEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs the same as a real one (log-ins answered alike). */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/**
 * 等保 identity rules: at least 10 characters with three of four character classes, and not the e-mail itself.
 */
export function checkPasswordStrength(password: string, email?: string, field = 'password'): void {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const problem =
    password.length < 10
      ? 'at least 10 characters'
      : password.length > 200
        ? 'at most 200 characters'
        : classes < 3
          ? 'three of: lower case, upper case, digits, symbols'
          : email &&
              email.split('@')[0]!.length >= 3 &&
              password.toLowerCase().includes(email.split('@')[0]!.toLowerCase())
            ? 'not containing the e-mail name'
            : null;
  if (problem) throw new AppError('WEAK_PASSWORD', `The password needs ${problem}`, { field });
}

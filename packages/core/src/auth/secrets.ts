import { createHash, randomBytes } from 'node:crypto';

/** Opaque bearer secrets: a recognisable prefix plus 256 random bits. Only their SHA-256 is ever stored. */
export function newSecret(prefix: 'zqr' | 'zqt'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

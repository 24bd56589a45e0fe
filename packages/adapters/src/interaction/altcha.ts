import type { ProofOfWorkPort } from '@zhanqun/core';
import { type Challenge, createChallenge, randomInt, type Solution, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

export interface AltchaOptions {
  /** Signs the challenges (HMAC-SHA-256): a client cannot make up an easy one. */
  hmacSecret: string;
  /** Signs the expected derived key, so a solution is verified with one derivation instead of a search. */
  keySecret: string;
  /** PBKDF2 iterations per attempt. */
  cost: number;
  /** The secret counter is drawn from [maxCounter / 2, maxCounter]: the expected work is cost × counter. */
  maxCounter: number;
  expiresSeconds: number;
}

/**
 * The proof-of-work port on ALTCHA v2 (`altcha-lib`, no third-party service): challenges are HMAC-signed,
 * expire, and are verified here without state. That a solved challenge is used once is core's business (the
 * `altcha_spent` table, in the write's transaction), since several API instances run.
 */
export function altchaPort(opts: AltchaOptions, now: () => Date = () => new Date()): ProofOfWorkPort {
  return {
    async challenge() {
      const challenge = await createChallenge({
        algorithm: 'PBKDF2/SHA-256',
        cost: opts.cost,
        counter: randomInt(opts.maxCounter, Math.max(1, Math.floor(opts.maxCounter / 2))),
        deriveKey,
        expiresAt: new Date(now().getTime() + opts.expiresSeconds * 1000),
        hmacSignatureSecret: opts.hmacSecret,
        hmacKeySignatureSecret: opts.keySecret,
      });
      return challenge as unknown as Record<string, unknown>;
    },
    async verify(payload) {
      const refused = { ok: false, signature: null, expiresAt: null };
      let parsed: { challenge?: Challenge; solution?: Solution };
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
      } catch {
        return refused;
      }
      const { challenge, solution } = parsed;
      if (!challenge?.signature || !challenge.parameters?.expiresAt || !solution) return refused;
      const result = await verifySolution({
        challenge,
        solution,
        deriveKey,
        hmacSignatureSecret: opts.hmacSecret,
        hmacKeySignatureSecret: opts.keySecret,
      });
      if (!result.verified) return refused;
      return { ok: true, signature: challenge.signature, expiresAt: new Date(challenge.parameters.expiresAt * 1000) };
    },
  };
}

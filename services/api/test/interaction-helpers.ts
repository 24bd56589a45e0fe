import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { TestApp } from './helpers.ts';

/** Asks for a challenge and solves it with altcha-lib's own solver (tests run at a low difficulty). */
export async function solveAltcha(t: TestApp): Promise<string> {
  const r = await t.gql('{ altchaChallenge }');
  const challenge = r.data!.altchaChallenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('ALTCHA challenge not solved');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

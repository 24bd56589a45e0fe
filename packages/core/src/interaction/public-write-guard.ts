import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { Ctx } from '../shared/context.ts';

/**
 * The safety of public writes (letters, and every public write after them): a throttle per client address and
 * per contact, counted in PostgreSQL (several API instances run: no in-process state), and a proof-of-work
 * challenge (ALTCHA) whose solution is accepted once. Keys are SHA-256 hashes: the throttle table holds no
 * address, phone number or e-mail in clear.
 */
const hashKey = (kind: string, value: string) =>
  `${kind}:${createHash('sha256').update(`${kind}\u0000${value}`).digest('hex')}`;

export interface ThrottleKey {
  kind: 'addr' | 'contact';
  value: string;
  limit: number;
}

/**
 * Counts this attempt under every key (a fixed window per key) and refuses it when any key is over its limit,
 * with the seconds until that window ends (the edge answers 429 with `retry-after`). Runs before, and outside,
 * the write's own transaction: a refused attempt counts, and leaves nothing else behind.
 */
export async function throttlePublicWrite(ctx: Ctx, keys: ThrottleKey[]): Promise<void> {
  const now = ctx.now();
  const { windowSeconds } = ctx.settings.publicWrites;
  const windowStart = new Date(now.getTime() - windowSeconds * 1000);
  let retryAfter = 0;
  for (const k of keys) {
    const [row] = await ctx.unscopedEm.execute<{ hits: number; window_started_at: Date }[]>(
      `insert into public_write_throttle (key, hits, window_started_at) values (?, 1, ?)
       on conflict (key) do update set
         hits = case when public_write_throttle.window_started_at < ? then 1 else public_write_throttle.hits + 1 end,
         window_started_at = case when public_write_throttle.window_started_at < ? then excluded.window_started_at
                                  else public_write_throttle.window_started_at end
       returning hits, window_started_at`,
      [hashKey(k.kind, k.value), now, windowStart, windowStart],
    );
    if (row && row.hits > k.limit) {
      const ends = new Date(row.window_started_at).getTime() + windowSeconds * 1000;
      retryAfter = Math.max(retryAfter, Math.ceil((ends - now.getTime()) / 1000));
    }
  }
  if (retryAfter > 0) {
    throw new AppError('RATE_LIMITED', 'Too many submissions from here; try again later', {
      details: { retryAfterSeconds: retryAfter },
    });
  }
}

/**
 * Checks the ALTCHA solution and spends its challenge inside the write's transaction `tx`: a replayed solution
 * is refused, and a write that rolls back does not spend it. Spent signatures are kept until the challenge
 * expires (purged by the maintenance job).
 */
export async function spendProofOfWork(tx: EntityManager, ctx: Ctx, payload: string): Promise<void> {
  if (!ctx.proofOfWork) throw new Error('public writes need the proof-of-work port');
  const result = await ctx.proofOfWork.verify(payload).catch(() => ({ ok: false, signature: null, expiresAt: null }));
  if (!result.ok || !result.signature || !result.expiresAt)
    throw new AppError('ALTCHA_INVALID', undefined, { field: 'altcha' });
  const rows = await tx.execute<{ signature: string }[]>(
    'insert into altcha_spent (signature, expires_at) values (?, ?) on conflict do nothing returning signature',
    [result.signature, result.expiresAt],
  );
  if (rows.length === 0) throw new AppError('ALTCHA_REPLAYED', undefined, { field: 'altcha' });
}

/** Maintenance: forget expired challenges and finished throttle windows. */
export async function purgePublicWriteState(ctx: Ctx): Promise<{ spentChallenges: number; throttleKeys: number }> {
  const now = ctx.now();
  const windowStart = new Date(now.getTime() - ctx.settings.publicWrites.windowSeconds * 1000);
  const count = async (sql: string, param: Date) =>
    (
      await ctx.unscopedEm.execute<{ n: number }[]>(
        `with gone as (${sql} returning 1) select count(*)::int as n from gone`,
        [param],
      )
    )[0]?.n ?? 0;
  return {
    spentChallenges: await count('delete from altcha_spent where expires_at < ?', now),
    throttleKeys: await count('delete from public_write_throttle where window_started_at < ?', windowStart),
  };
}

// C0 controls except tab and newline, DEL, C1 controls, bidi overrides (used to disguise text), zero-width marks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/g;

/**
 * Plain text from the public, sanitised: Unicode NFC, line breaks normalised, control and invisible characters
 * removed, trimmed, then limited in length. It is stored and shown as text, never as HTML (escaped on output).
 */
export const publicText = (max: number, min = 1) =>
  z
    .string()
    .max(max * 2)
    .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').replace(UNSAFE, '').trim())
    .pipe(z.string().min(min).max(max));

/** HTML-escapes text for the body of an item (a published reply). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../errors/app-error.ts';
import type { CoreSettings } from '../shared/context.ts';

/**
 * Log-in attempts are counted per e-mail and per client address in a fixed window; going past the limit locks
 * the key for a while. Counted in PostgreSQL, so every API instance sees the same numbers.
 *
 * The attempt is counted BEFORE the password is verified, in one statement (an upsert that increments and
 * returns the count): of N concurrent guesses for one account, at most `limit` reach the password check. A
 * "check, verify, then record" sequence let 12 parallel guesses all through when the limit was 5.
 */
export async function countLoginAttempt(
  em: EntityManager,
  key: string,
  limit: number,
  settings: CoreSettings['login'],
  now: Date,
): Promise<{ attempts: number; locked: boolean }> {
  const windowStart = new Date(now.getTime() - settings.windowSeconds * 1000);
  const lockUntil = new Date(now.getTime() + settings.lockSeconds * 1000);
  // A window that is over, or a lock that has run out, starts counting afresh.
  const fresh = `(t.window_started_at < ?::timestamptz or (t.locked_until is not null and t.locked_until <= ?::timestamptz))`;
  const [row] = await em.execute<{ failures: number; locked_until: Date | null }[]>(
    `insert into login_throttle as t (key, failures, window_started_at, locked_until) values (?, 1, ?, null)
     on conflict (key) do update set
       failures = case when ${fresh} then 1 else t.failures + 1 end,
       window_started_at = case when ${fresh} then excluded.window_started_at else t.window_started_at end,
       locked_until = case
         when t.locked_until > ?::timestamptz then t.locked_until
         when (case when ${fresh} then 1 else t.failures + 1 end) > ? then ?::timestamptz
         else null end
     returning failures, locked_until`,
    [key, now, windowStart, now, windowStart, now, now, windowStart, now, limit, lockUntil],
  );
  const lockedUntil = row?.locked_until ? new Date(row.locked_until) : null;
  return { attempts: Number(row?.failures ?? 0), locked: !!lockedUntil && lockedUntil > now };
}

/** Counts the attempt on every key; refuses (without any password check) once one of them is over its limit. */
export async function assertAttemptAllowed(
  em: EntityManager,
  keys: { key: string; limit: number }[],
  settings: CoreSettings['login'],
  now: Date,
): Promise<void> {
  let locked = false;
  for (const k of keys) locked = (await countLoginAttempt(em, k.key, k.limit, settings, now)).locked || locked;
  if (locked) throw new AppError('RATE_LIMITED', 'Too many failed log-ins; try again later');
}

/** A successful log-in forgets the account's attempts and gives back the one it spent on the address. */
export async function recordLoginSuccess(
  em: EntityManager,
  emailKey: string,
  addressKey: string | null,
): Promise<void> {
  await em.execute('delete from login_throttle where key = ?', [emailKey]);
  if (addressKey) {
    await em.execute(
      'update login_throttle set failures = greatest(failures - 1, 0) where key = ? and locked_until is null',
      [addressKey],
    );
  }
}

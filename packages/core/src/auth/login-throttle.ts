import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../errors/app-error.ts';
import type { CoreSettings } from '../shared/context.ts';

/**
 * Failed log-ins are counted per e-mail and per client address in a fixed window; reaching the limit locks the
 * key for a while. Counted in PostgreSQL, so every API instance sees the same numbers.
 */
export async function assertNotThrottled(em: EntityManager, keys: string[], now: Date): Promise<void> {
  const rows = await em.execute<{ n: string }[]>(
    'select count(*) as n from login_throttle where key in (?) and locked_until > ?',
    [keys, now],
  );
  if (Number(rows[0]?.n ?? 0) > 0) throw new AppError('RATE_LIMITED', 'Too many failed log-ins; try again later');
}

export async function recordLoginFailure(
  em: EntityManager,
  key: string,
  limit: number,
  settings: CoreSettings['login'],
  now: Date,
): Promise<void> {
  const windowStart = new Date(now.getTime() - settings.windowSeconds * 1000);
  const lockUntil = new Date(now.getTime() + settings.lockSeconds * 1000);
  await em.execute(
    `insert into login_throttle (key, failures, window_started_at, locked_until) values (?, 1, ?, null)
     on conflict (key) do update set
       failures = case when login_throttle.window_started_at < ? then 1 else login_throttle.failures + 1 end,
       window_started_at = case when login_throttle.window_started_at < ? then excluded.window_started_at
                                else login_throttle.window_started_at end,
       locked_until = case when (case when login_throttle.window_started_at < ? then 1 else login_throttle.failures + 1 end) >= ?
                           then ?::timestamptz else login_throttle.locked_until end`,
    [key, now, windowStart, windowStart, windowStart, limit, lockUntil],
  );
}

export async function clearLoginFailures(em: EntityManager, key: string): Promise<void> {
  await em.execute('delete from login_throttle where key = ?', [key]);
}

import pg from 'pg';

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

interface Entry {
  key: string;
  /** Window start, ms since the epoch (fixed windows aligned to multiples of the window length). */
  window: number;
  /** The count across every instance, as of this instance's last flush. */
  shared: number;
  /** Hits seen here and not yet acknowledged by PostgreSQL. */
  pending: number;
  known: boolean;
  ttlMs: number;
  /** First requests of a key, waiting for the shared count. */
  waiting: (() => void)[];
}

export interface PgRateLimitOptions {
  /** How long local hits may wait before they are added to the shared counters (≤ 1 s). */
  flushMs: number;
  /** How long a client's first request waits for the shared count before it is answered with the local one. */
  firstWaitMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Rate-limit counters shared by every API instance, in PostgreSQL (`rate_limit_counter`, UNLOGGED, migration 0019),
 * as a store for @fastify/rate-limit. Fixed windows. No statement on the request path except once per key, window
 * and instance (the first request of a client learns the shared count before it is answered); after that, hits
 * are counted locally and added to the shared counters by one statement for all keys at most every `flushMs`,
 * which also brings back what the other instances counted. The bound: an instance may admit, beyond the limit,
 * the hits the other instances counted in the last flush interval and have not flushed yet — at most
 * (instances − 1) × rate × flushMs. If PostgreSQL does not answer, requests are not refused for it (fail open, like
 * @fastify/rate-limit's skipOnError): each instance goes on counting on its own, the error is reported and
 * counted (`errors()`), and the pending hits are added once PostgreSQL answers again.
 */
export function pgRateLimitStore(databaseUrl: string, opts: PgRateLimitOptions) {
  // A pool of its own (two connections): the counters never wait behind the ORM's work, nor it behind them.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: 'zhanqun-rate-limit' });
  pool.on('error', (err) => opts.onError?.(err));
  const entries = new Map<string, Entry>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let again = false;
  let lastPurge = 0;
  /** Flushes that failed (PostgreSQL unreachable or refusing): exported as a metric by the API. */
  let errors = 0;

  async function flushOnce(): Promise<void> {
    const batch = [...entries.values()].filter((e) => e.pending > 0 || !e.known);
    if (batch.length === 0) return;
    const sent = batch.map((e) => ({ e, hits: e.pending }));
    try {
      const { rows } = await pool.query<{ key: string; w: string; hits: number }>(
        `insert into rate_limit_counter as c (key, window_start, hits)
         select x.key, to_timestamp(x.w / 1000.0), x.hits from jsonb_to_recordset($1::jsonb) as x(key text, w bigint, hits int)
         on conflict (key, window_start) do update set hits = c.hits + excluded.hits
         returning c.key, (extract(epoch from c.window_start) * 1000)::bigint::text as w, c.hits`,
        [JSON.stringify(sent.map(({ e, hits }) => ({ key: e.key, w: e.window, hits })))],
      );
      const byId = new Map(rows.map((r) => [`${r.key}|${r.w}`, r.hits]));
      for (const { e, hits } of sent) {
        const total = byId.get(`${e.key}|${e.window}`);
        if (total === undefined) continue;
        e.pending -= hits;
        e.shared = total;
        e.known = true;
      }
      const now = Date.now();
      if (now - lastPurge > 60_000) {
        lastPurge = now;
        await pool.query("delete from rate_limit_counter where window_start < now() - interval '1 day'");
      }
    } catch (err) {
      // Fail open to this instance's own count: answer with what it knows (so one instance still enforces the
      // limit on the hits it sees); the hits stay pending and reach the shared counters once PostgreSQL answers.
      for (const { e } of sent) e.known = true;
      errors += 1;
      opts.onError?.(err);
    }
    for (const { e } of sent) for (const w of e.waiting.splice(0)) w();
    const now = Date.now();
    for (const [id, e] of entries)
      if (e.pending === 0 && e.waiting.length === 0 && e.window + e.ttlMs < now) entries.delete(id);
  }

  function flush(): Promise<void> {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = (async () => {
      do {
        again = false;
        await flushOnce();
      } while (again);
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  function flushSoon(ms: number) {
    if (ms === 0) {
      if (timer) clearTimeout(timer);
      timer = null;
      void flush();
      return;
    }
    timer ??= setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
  }

  class PgRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number) {
      const now = Date.now();
      const window = Math.floor(now / timeWindow) * timeWindow;
      const id = `${key}|${window}`;
      let e = entries.get(id);
      if (!e) {
        e = { key, window, shared: 0, pending: 0, known: false, waiting: [], ttlMs: timeWindow };
        entries.set(id, e);
      }
      e.pending += 1;
      const entry = e;
      let answered = false;
      const answer = () => {
        if (answered) return;
        answered = true;
        cb(null, { current: entry.shared + entry.pending, ttl: window + timeWindow - Date.now() });
      };
      if (!e.known) {
        e.waiting.push(answer);
        flushSoon(0);
        // A slow database must not stall requests: after a short wait, answer with what this instance knows.
        setTimeout(answer, opts.firstWaitMs ?? 250).unref();
        return;
      }
      answer();
      flushSoon(opts.flushMs);
    }

    child() {
      return this;
    }
  }

  return {
    Store: PgRateLimitStore,
    /** Adds local hits to the shared counters now (shutdown, tests). */
    flush,
    /** How many flushes failed since start (the API's `zhanqun_rate_limit_store_errors_total`). */
    errors: () => errors,
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
      await pool.end();
    },
  };
}

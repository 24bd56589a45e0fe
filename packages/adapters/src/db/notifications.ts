import pg from 'pg';

/**
 * LISTEN on one PostgreSQL channel with a dedicated connection, calling `onNotify` for each notification; the
 * connection is re-opened (after `retryMs`) when it drops. Notifications only hurry things up: whoever listens
 * must still poll, since nothing is delivered while the connection is down.
 */
export function listen(
  url: string,
  channel: string,
  onNotify: () => void,
  opts: { retryMs?: number; onError?: (err: unknown) => void } = {},
): { close(): Promise<void> } {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: `zhanqun-listen-${channel}` });
    client = c;
    const again = (err: unknown) => {
      if (client !== c) return;
      client = null;
      c.end().catch(() => {});
      if (closed) return;
      opts.onError?.(err);
      retry = setTimeout(() => void connect(), opts.retryMs ?? 1_000);
    };
    c.on('error', again);
    c.on('end', () => again(new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel === channel) onNotify();
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
    } catch (err) {
      again(err);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

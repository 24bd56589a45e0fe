/** A server the launcher started and can start again (embedded PostgreSQL or Meilisearch). */
export interface Supervised {
  readonly pid: number;
  restart(): Promise<void>;
  onUnexpectedExit(listener: (how: string) => void): void;
}

export interface SuperviseOptions {
  /** Restarts allowed within `windowMs`; one more death in the window stops everything. */
  maxRestarts: number;
  windowMs: number;
  say: (message: string) => void;
  /** Called once when the launcher gives up: stop everything with this message. */
  giveUp: (reason: string) => void;
  /** Told after each successful restart (tests wait on it rather than on time). */
  onRestarted?: (pid: number) => void;
}

/**
 * Notices when a server dies under the launcher and starts it again, a bounded number of times: a server that
 * keeps dying (a full disk, a corrupt data dir, a port someone else took) stops the whole launcher with a clear
 * message rather than leaving an API that answers 503 forever or a restart loop that fills the terminal.
 */
export function supervise(name: string, server: Supervised, opts: SuperviseOptions): void {
  const deaths: number[] = [];
  let gaveUp = false;
  const stop = (reason: string) => {
    if (gaveUp) return;
    gaveUp = true;
    opts.giveUp(reason);
  };
  server.onUnexpectedExit((how) => {
    if (gaveUp) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - opts.windowMs) deaths.shift();
    if (deaths.length > opts.maxRestarts) {
      stop(
        `${name} died (${how}) ${deaths.length} times within ${Math.round(opts.windowMs / 1000)} s; ` +
          `giving up — see its log lines above, fix the cause and start again`,
      );
      return;
    }
    opts.say(`${name} died (${how}); restarting it (${deaths.length} of ${opts.maxRestarts} restarts allowed)`);
    server.restart().then(
      () => {
        opts.say(`${name} is back (pid ${server.pid})`);
        opts.onRestarted?.(server.pid);
      },
      (e: unknown) => stop(`${name} died (${how}) and could not be restarted: ${(e as Error).message ?? e}`),
    );
  });
}

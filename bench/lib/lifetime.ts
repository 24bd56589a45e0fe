/**
 * Everything a benchmark starts is stopped, in reverse order, on success, failure and Ctrl-C alike.
 * `cleanups.push(stop)` after starting something; `await stopAll()` at the end.
 */
export function lifetime(say: (m: string) => void) {
  const cleanups: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      for (const c of cleanups.splice(0).reverse()) await c().catch((e) => say(`cleanup: ${e}`));
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      const force = setTimeout(() => process.exit(130), 30_000);
      force.unref();
      void stopAll().finally(() => process.exit(130));
    });
  }
  return { cleanups, stopAll };
}

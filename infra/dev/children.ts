import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const colours: Record<string, string> = { api: '\x1b[36m', worker: '\x1b[35m', dev: '\x1b[32m' };

/** `[name]` in the name's colour when writing to a terminal, plain otherwise (logs, CI). */
export function prefix(name: string): string {
  return process.stdout.isTTY ? `${colours[name] ?? ''}[${name}]\x1b[0m` : `[${name}]`;
}

/**
 * Runs a Node entry point with the launcher's Node. Detached (its own process group) so that Ctrl-C in the
 * terminal reaches only the launcher, which then stops everything in order; each output line is prefixed.
 */
export function spawnService(
  name: string,
  entry: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tag = prefix(name);
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (stream)
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (l) =>
        out.write(`${tag} ${l}\n`),
      );
  }
  return child;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedMeilisearch, startEmbeddedMeilisearch } from '@zhanqun/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supervise } from './supervise.ts';

/** The launcher's Meilisearch (the embedded starter is shared with the tests' global setup). */
const KEY = 'launcher-test-master-key-0123456789';
let meili: EmbeddedMeilisearch;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-launcher-'));
  meili = await startEmbeddedMeilisearch({ dataDir: dir, masterKey: KEY, onLog: () => {} });
});
afterAll(async () => {
  await meili?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe('the embedded Meilisearch the launcher starts', () => {
  it('gets its master key by environment, not on the command line that any local user can read', async () => {
    const argv = cmdline(meili.pid);
    expect(argv.join(' ')).toContain('--db-path');
    expect(argv.join(' ')).not.toContain(KEY);
    expect(argv).not.toContain('--master-key');
    // The environment is readable by the owner only (mode 0400), and holds the key.
    expect(readFileSync(`/proc/${meili.pid}/environ`, 'utf8').split('\0')).toContain(`MEILI_MASTER_KEY=${KEY}`);
    // And the server really enforces it.
    expect((await fetch(`${meili.url}/keys`)).status).toBe(401);
    expect((await fetch(`${meili.url}/keys`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  });

  it('is noticed when it dies: restarted a bounded number of times, then everything stops with the reason', async () => {
    const said: string[] = [];
    let restarted!: (pid: number) => void;
    let gaveUp!: (reason: string) => void;
    const giveUp = new Promise<string>((r) => (gaveUp = r));
    let next = new Promise<number>((r) => (restarted = r));
    supervise('Meilisearch', meili, {
      maxRestarts: 1,
      windowMs: 60_000,
      say: (m) => said.push(m),
      giveUp: (reason) => gaveUp(reason),
      onRestarted: (pid) => restarted(pid),
    });

    const first = meili.pid;
    process.kill(first, 'SIGKILL');
    const second = await next;
    expect(second).not.toBe(first);
    expect(said[0]).toMatch(/^Meilisearch died \(SIGKILL\); restarting it/);
    expect((await fetch(`${meili.url}/health`)).ok).toBe(true);
    expect(cmdline(second).join(' ')).not.toContain(KEY);

    next = new Promise<number>((r) => (restarted = r));
    process.kill(second, 'SIGKILL');
    expect(await giveUp).toMatch(/^Meilisearch died \(SIGKILL\) 2 times within 60 s; giving up/);
  });
});

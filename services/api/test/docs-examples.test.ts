/**
 * The runnable examples of the docs run here, against the API on 127.0.0.1 with a fresh demo city and search
 * delivered as the worker would: docs/examples/api-tour.sh, then the ```sh blocks of docs/api.md in order
 * (convention: docs-examples.ts and the header of docs/api.md). A failure names the block's line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Block, bash, extractBlocks, lastJson, missingKeys, runBlocks } from './docs-examples.ts';
import { startTestApp, type TestApp } from './helpers.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const missingTools = ['bash', 'curl', 'jq'].filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
if (missingTools.length > 0)
  console.warn(`docs examples NOT run: ${missingTools.join(', ')} missing on this machine (install them to run)`);

let t: TestApp;
let base: string;
let stopSync: () => Promise<void>;

/** The worker's search delivery, in process: deliver pending changes every 100 ms until stopped. */
function deliverSearchContinuously(app: TestApp): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await app.syncSearch().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

describe.skipIf(missingTools.length > 0)('the examples of the docs', () => {
  beforeAll(async () => {
    t = await startTestApp({ search: true });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    stopSync = deliverSearchContinuously(t);
  }, 120_000);
  afterAll(async () => {
    await stopSync?.();
    await t?.close();
  });

  it('the ```sh blocks of docs/api.md run in order, with the answers shown', { timeout: 600_000 }, async () => {
    const blocks = extractBlocks(readFileSync(`${root}docs/api.md`, 'utf8'));
    expect(blocks.filter((b) => !b.skip).length).toBeGreaterThan(30);
    const run = await runBlocks(blocks, { BASE: base, RUN: String(Date.now()) });
    const where = (b: Block) => `docs/api.md:${b.line}`;
    const failed = run.runs.find((r) => r.block.line === run.stoppedAt);
    expect
      .soft(
        run.exitCode,
        failed
          ? `${where(failed.block)} failed:\n${failed.block.code}\n--- stderr ---\n${failed.stderr}\n--- stdout ---\n${failed.stdout}`
          : 'bash failed',
      )
      .toBe(0);
    expect.soft(run.failures, 'GraphQL errors the text does not expect').toEqual([]);
    const shapes: string[] = [];
    for (const r of run.runs) {
      if (!r.block.shown || r.block.shown.includes('…')) continue;
      let shown: unknown;
      try {
        shown = JSON.parse(r.block.shown);
      } catch {
        shapes.push(`${where(r.block)}: the shown answer is not JSON`);
        continue;
      }
      const actual = lastJson(r.stdout);
      const missing = missingKeys(shown, actual);
      if (missing.length > 0)
        shapes.push(`${where(r.block)}: the answer lacks ${missing.join(', ')}; it was ${JSON.stringify(actual)}`);
    }
    expect.soft(shapes, 'answers shown after a block must match the real ones in shape').toEqual([]);
  });

  // After the blocks: the tour reuses what they left (it is safe to run again on one database), not vice versa.
  it('docs/examples/api-tour.sh runs to the end', { timeout: 600_000 }, async () => {
    // Meilisearch runs one task queue for every index, and other test files index thousands of documents at the
    // same time: the tour waits for its items up to 2 minutes here (15 s by default against a quiet stack).
    const r = await bash([`${root}docs/examples/api-tour.sh`], { BASE: base, SEARCH_WAIT: '120' }, 580_000);
    const tail = r.stdout.split('\n').slice(-40).join('\n');
    expect(r.code, `api-tour.sh exited ${r.code}:\n${r.stderr}\n--- last output ---\n${tail}`).toBe(0);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { wxrAdapter } from './adapter.ts';
import { generateWxr } from './generate.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tmp = mkdtempSync(join(tmpdir(), 'wxr-big-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a big generated export', () => {
  it('is read streaming: every item comes out, the heap stays flat', { timeout: 180_000 }, async () => {
    const path = join(tmp, 'big.xml');
    const gen = await generateWxr({ path, items: 12_000, columns: 30, seed: 7, bodyBytes: 3000 });
    expect(gen.bytes).toBeGreaterThan(45 * 1024 * 1024);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const head = readFileSync(path).subarray(0, 65536);
    const source = await wxrAdapter.open({ paths: [path], head, isDirectory: false }, {});
    let items = 0;
    let files = 0;
    let skipped = 0;
    let columns = 0;
    let peak = 0;
    let last: unknown = null;
    for await (const e of source.read()) {
      if (e.type === 'item') {
        items++;
        last = e.item;
        if (items % 2500 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      } else if (e.type === 'file') files++;
      else if (e.type === 'skipped') skipped++;
      else if (e.type === 'column') columns++;
    }
    expect(last).toBeTruthy();
    expect(columns).toBe(gen.categories + (gen.pages ? 1 : 0));
    expect(items).toBe(gen.posts + gen.pages - gen.unpublished);
    expect(skipped).toBe(gen.unpublished);
    expect(files).toBe(gen.attachments);
    // A 50 MB file is ~100 MB as JS strings: holding it would show. The index (ids, attachment URLs) is small.
    expect(peak).toBeLessThan(40 * 1024 * 1024);
  });
});

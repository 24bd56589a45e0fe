import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDedecms } from './dedecms/generate.ts';
import type { ImportEvent } from './record.ts';
import { openSource } from './sources.ts';
import { threadedSource } from './threaded.ts';
import { generateWxr } from './wxr/generate.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zq-threaded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const all = async (it: AsyncIterable<ImportEvent>) => {
  const out: ImportEvent[] = [];
  for await (const ev of it) out.push(ev);
  return out;
};
const threaded = async (paths: string[]) => threadedSource(await openSource(paths), paths);

describe('threadedSource', () => {
  it('reads a WXR export and a GBK DedeCMS dump on its own thread: the same events in the same order', async () => {
    const wxr = join(dir, 'export.xml');
    // 700 items: several batches of the reading thread, with its flow control in play.
    await generateWxr({ path: wxr, items: 700, columns: 6, seed: 3 });
    const dede = await generateDedecms({
      outDir: join(dir, 'dede'),
      items: 120,
      style: 'mysqldump',
      encoding: 'gbk',
      seed: 5,
    });
    for (const paths of [[wxr], dede.files]) {
      const inline = await all((await openSource(paths)).read());
      const source = await threaded(paths);
      expect(source.system).toBe((await openSource(paths)).system);
      const events = await all(source.read());
      expect(events.length).toBeGreaterThan(100);
      expect(events).toEqual(inline);
    }
  });

  it('lets the importer stop early, and reads again from the start', async () => {
    const wxr = join(dir, 'stop.xml');
    await generateWxr({ path: wxr, items: 900, columns: 4, seed: 4 });
    const source = await threaded([wxr]);
    let n = 0;
    for await (const _ of source.read()) if (++n === 250) break;
    expect(n).toBe(250);
    const again = await all(source.read());
    expect(again).toEqual(await all((await openSource([wxr])).read()));
  });

  it("throws the adapter's failure where the read fails, with its stable code", async () => {
    const wxr = join(dir, 'gone.xml');
    await generateWxr({ path: wxr, items: 5, columns: 1, seed: 1 });
    const source = await threaded([wxr]);
    await rm(wxr); // the export vanished between the plan and the commit
    await expect(all(source.read())).rejects.toMatchObject({ name: 'ImportSourceError', code: 'SOURCE_MISSING' });
  });
});

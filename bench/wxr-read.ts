/**
 * WordPress export reader benchmark (issue 11), not part of `pnpm bench`'s default: `pnpm bench:wxr`.
 *
 * Generates a realistic export of a Chinese county site (`generateWxr`: ~3 KB bodies, categories, attachments,
 * drafts) of BENCH_WXR_ITEMS posts (default 20,000; 100,000 ≈ 430 MB, 250,000 ≈ 1 GB), then reads it twice
 * in a child process each, so one's memory does not colour the other's:
 *  - floor: a bare `saxes` parse of the same bytes (decode + parse, no records), what any streaming reader costs;
 *  - ours: `wxrAdapter.open(…).read()` to the last event (two passes, mapping, body conversion).
 * Printed: MB/s and items/s of each, ours / floor, and each child's peak RSS (sampled from /proc every 20 ms).
 * Peak RSS should be flat in the export's size (the issue asks ≤ 300 MB for a 1 GB export, including the
 * platform's writes; this is the reader's share).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWxr } from '../packages/importers/src/wxr/generate.ts';

const say = (m: string) => console.log(`[bench:wxr] ${m}`);
const ITEMS = Number(process.env.BENCH_WXR_ITEMS ?? 20_000);

async function child(mode: 'floor' | 'ours', path: string): Promise<{ ms: number; items: number; peakMb: number }> {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb > peak) peak = kb;
    } catch {
      // exited
    }
  }, 20);
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${mode} child exited with ${code}`);
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; items: number };
  return { ...result, peakMb: Math.round(peak / 1024) };
}

async function runChild(mode: string, path: string) {
  let t = performance.now();
  let items = 0;
  if (mode === 'floor') {
    const { createReadStream } = await import('node:fs');
    // The importers package's own copies (bench/ does not depend on them directly).
    const { createRequire } = await import('node:module');
    const require = createRequire(new URL('../packages/importers/package.json', import.meta.url));
    interface Parser {
      on(event: 'closetag', handler: (tag: { local: string }) => void): void;
      write(chunk: string): void;
      close(): void;
    }
    const { SaxesParser } = require('saxes') as { SaxesParser: new (options: { xmlns: boolean }) => Parser };
    const iconv = require('iconv-lite') as { decodeStream(encoding: string): NodeJS.ReadWriteStream };
    t = performance.now();
    const parser = new SaxesParser({ xmlns: true });
    parser.on('closetag', (tag) => {
      if (tag.local === 'item') items++;
    });
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(iconv.decodeStream('utf-8')))
      parser.write(chunk as string);
    parser.close();
  } else {
    const { wxrAdapter } = await import('../packages/importers/src/wxr/adapter.ts');
    t = performance.now();
    const head = readFileSync(path).subarray(0, 64 * 1024);
    const source = await wxrAdapter.open({ paths: [path], head, isDirectory: false }, {});
    for await (const e of source.read()) if (e.type === 'item' || e.type === 'file' || e.type === 'skipped') items++;
  }
  console.log(JSON.stringify({ ms: performance.now() - t, items }));
}

if (process.argv[2] === '--child') {
  await runChild(process.argv[3]!, process.argv[4]!);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'bench-wxr-'));
  try {
    const path = join(dir, 'export.xml');
    say(`generating ${ITEMS} posts…`);
    const gen = await generateWxr({ path, items: ITEMS, columns: 50, seed: 11 });
    const mb = gen.bytes / 1024 / 1024;
    say(`${mb.toFixed(1)} MB: ${gen.posts} posts, ${gen.pages} pages, ${gen.attachments} attachments`);
    const floor = await child('floor', path);
    const ours = await child('ours', path);
    const row = (name: string, r: { ms: number; items: number; peakMb: number }) =>
      say(
        `${name.padEnd(5)} ${(mb / (r.ms / 1000)).toFixed(1).padStart(6)} MB/s  ${Math.round(r.items / (r.ms / 1000))
          .toString()
          .padStart(7)} records/s  peak RSS ${r.peakMb} MB`,
      );
    row('floor', floor);
    row('ours', ours);
    say(`ours / floor throughput: ${(floor.ms / ours.ms).toFixed(2)}× (two passes: ≤ 0.5× is expected)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

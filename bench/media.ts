/**
 * Media benchmark (issue 8), not part of `pnpm bench`'s default: `pnpm bench:media`.
 *
 * 1. Renditions: the same N photos (generated with sharp: noise + gradients, EXIF with GPS; no downloads) made
 *    into the same renditions by our pipeline (`makeRenditions`: resize, encode, write, hash) and by raw sharp
 *    doing the same resizes and encodes. Reported: ours / raw throughput (≥ 0.9 expected).
 * 2. Upload: one large file (BENCH_MEDIA_UPLOAD_MB, default 200) POSTed to the real API (child process,
 *    production config, local storage) as multipart, against a plain stream copy of the same file to disk.
 *    Reported: both throughputs and the API's peak RSS above idle (sampled from /proc every 20 ms; < 50 MB
 *    expected: the file streams through, never whole in memory).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { makeRenditions } from '../packages/adapters/src/index.ts';
import { renditionPlan } from '../packages/core/src/index.ts';
import { spawnTarget } from './lib/child.ts';
import { lifetime } from './lib/lifetime.ts';
import { startStack } from './lib/stack.ts';

const say = (m: string) => console.log(`[bench:media] ${m}`);
const PHOTOS = Number(process.env.BENCH_MEDIA_PHOTOS ?? 50);
const UPLOAD_MB = Number(process.env.BENCH_MEDIA_UPLOAD_MB ?? 200);

async function photo(path: string, seed: number) {
  const width = 1600;
  const height = 1200;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = ((x + seed) * 7919 + y * 104729) % 53;
      raw[i] = ((x + seed * 13) * 255) / width + n;
      raw[i + 1] = (y * 255) / height + n;
      raw[i + 2] = (seed * 37 + n * 3) % 256;
    }
  await sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .withExif({ IFD0: { Make: 'BenchPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '26/1 53/1 0/1' } })
    .toFile(path);
}

async function raw(src: string, names: string[], outDir: string) {
  for (const w of [...new Set(names.map((n) => Number(n.slice(1, n.indexOf('.')))))]) {
    const base = sharp(src).resize({ width: w, withoutEnlargement: true });
    await Promise.all([
      base
        .clone()
        .webp({ quality: 78 })
        .toFile(join(outDir, `w${w}.webp`)),
      base
        .clone()
        .avif({ quality: 50, effort: 2 })
        .toFile(join(outDir, `w${w}.avif`)),
      base
        .clone()
        .jpeg({ quality: 82, mozjpeg: true })
        .toFile(join(outDir, `w${w}.jpg`)),
    ]);
  }
}

async function renditions(dir: string) {
  say(`generating ${PHOTOS} photos (1600×1200, EXIF with GPS)…`);
  const photos: string[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const p = join(dir, `photo-${i}.jpg`);
    await photo(p, i);
    photos.push(p);
  }
  const names = renditionPlan({ width: 1600, animated: false, hasAlpha: false });
  const run = async (label: string, f: (src: string, out: string) => Promise<unknown>) => {
    const start = performance.now();
    for (const [i, src] of photos.entries()) {
      const out = join(dir, `${label}-${i}`);
      await mkdir(out, { recursive: true });
      await f(src, out);
    }
    return (performance.now() - start) / 1000;
  };
  // Alternate, so neither side always runs on a warmer (or busier) machine.
  const rawS = await run('raw', (src, out) => raw(src, names, out));
  const oursS = await run('ours', (src, out) => makeRenditions(src, names, out, false));
  say(
    `renditions (${names.length} per photo: ${names.join(' ')}): raw sharp ${(PHOTOS / rawS).toFixed(2)} photos/s, ` +
      `ours ${(PHOTOS / oursS).toFixed(2)} photos/s → ours/raw ${(rawS / oursS).toFixed(3)}× (≥ 0.9 expected)`,
  );
  return { rawS, oursS, ratio: rawS / oursS, names: names.length };
}

function rssKb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0));
}

async function upload(dir: string, stop: { cleanups: (() => Promise<void>)[] }) {
  const file = join(dir, 'big.pdf');
  say(`writing a ${UPLOAD_MB} MB file…`);
  const ws = createWriteStream(file);
  ws.write('%PDF-1.4\n');
  for (let i = 0; i < UPLOAD_MB; i++) ws.write(randomBytes(1024 * 1024));
  ws.end('\n%%EOF\n');
  await new Promise<void>((r) => ws.on('finish', () => r()));
  const size = (await stat(file)).size;

  let start = performance.now();
  await pipeline(createReadStream(file), createWriteStream(join(dir, 'copy.pdf')));
  const copyS = (performance.now() - start) / 1000;
  await rm(join(dir, 'copy.pdf'));

  // The demo city is enough: the upload goes to miyi's media library, no content is needed.
  const stack = await startStack(say);
  stop.cleanups.push(stack.stop);
  const env = { ...stack.apiEnv, MEDIA_DIR: join(dir, 'store'), MEDIA_TMP_DIR: join(dir, 'tmp') };
  const api = await spawnTarget('ours', new URL('./ours.ts', import.meta.url), { env });
  stop.cleanups.push(api.stop);
  const login = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation { login(email: "editor@miyi.zhanqun.local", password: "Zhanqun#Demo2026") { accessToken } }',
    }),
  }).then((r) => r.json() as Promise<{ data: { login: { accessToken: string } } }>);
  const token = login.data.login.accessToken;

  // Warm-up: the first upload starts the API's job client (pg-boss) and loads the media code; idle is after that.
  const warm = new FormData();
  warm.set('site', 'miyi');
  warm.set('file', new Blob([`%PDF-1.4\n${randomBytes(16).toString('hex')}\n%%EOF\n`]), 'warm-up.pdf');
  const w = await fetch(`${api.url}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: warm,
  });
  if (w.status !== 201) throw new Error(`warm-up upload answered ${w.status}: ${await w.text()}`);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = await rssKb(api.pid);
  let peak = idle;
  const sampler = setInterval(() => {
    rssKb(api.pid).then(
      (kb) => {
        peak = Math.max(peak, kb);
      },
      () => {},
    );
  }, 20);
  const boundary = `----zq${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="site"\r\n\r\nmiyi\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* body() {
    yield head;
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
    yield tail;
  }
  start = performance.now();
  const res = await fetch(`${api.url}/media`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${token}` },
    body: Readable.toWeb(Readable.from(body())) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = await res.text();
  const uploadS = (performance.now() - start) / 1000;
  clearInterval(sampler);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${answer}`);
  const mb = size / 1024 / 1024;
  say(
    `upload of ${mb.toFixed(0)} MB: stream copy to disk ${(mb / copyS).toFixed(0)} MB/s, ` +
      `POST /media ${(mb / uploadS).toFixed(0)} MB/s (${(copyS / uploadS).toFixed(2)}× the copy; the API also parses ` +
      `multipart, hashes, and stores a copy); API RSS idle ${(idle / 1024).toFixed(0)} MB, peak ${(peak / 1024).toFixed(0)} MB, ` +
      `growth ${((peak - idle) / 1024).toFixed(1)} MB (< 50 MB expected)`,
  );
  return { mb, copyS, uploadS, idleMb: idle / 1024, growthMb: (peak - idle) / 1024 };
}

const stop = lifetime(say);
const dir = await mkdtemp(join(tmpdir(), 'zq-bench-media-'));
stop.cleanups.push(() => rm(dir, { recursive: true, force: true }));
try {
  const r = PHOTOS > 0 ? await renditions(dir) : null;
  const u = await upload(dir, stop);
  await writeFile(join(dir, 'result.json'), JSON.stringify({ r, u }));
  console.log(JSON.stringify({ renditions: r, upload: u }, null, 2));
} finally {
  await stop.stopAll();
}

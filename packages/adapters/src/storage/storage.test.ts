import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import type { MediaStorage } from '@zhanqun/core';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from './local-storage.ts';
import { S3Storage } from './s3-storage.ts';

const SITE = '6f1d3c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let server: { close(): Promise<void> };
let s3: S3Storage;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-storage-'));
  // A real S3-protocol server on loopback (s3rver): signatures, multipart and ranges go over HTTP as in production.
  const s = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: 'zhanqun-media' }],
  });
  const { port } = await s.run();
  server = s;
  s3 = new S3Storage({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: 'zhanqun-media',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    prefix: 'test/',
    partSize: 5 * 1024 * 1024,
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function contract(name: string, storage: () => MediaStorage) {
  describe(name, () => {
    it('puts, reads whole and by range, reports existence, downloads and deletes', async () => {
      const bytes = Buffer.from('%PDF-1.4 hello 米易县');
      const src = join(dir, `${name}-small`);
      writeFileSync(src, bytes);
      const key = `${SITE}/${sha(bytes)}`;
      expect(await storage().exists(key)).toBe(false);
      await storage().put(key, src);
      expect(await storage().exists(key)).toBe(true);
      expect(await text(await storage().read(key))).toBe(bytes.toString());
      expect(await text(await storage().read(key, { start: 0, end: 7 }))).toBe('%PDF-1.4');
      const out = join(dir, `${name}-copy`);
      await storage().download(key, out);
      expect(readFileSync(out)).toEqual(bytes);
      await storage().delete(key);
      expect(await storage().exists(key)).toBe(false);
    });
  });
}

contract('local filesystem', () => new LocalStorage(join(dir, 'local')));
contract('S3 (s3rver)', () => s3);

describe('local filesystem specifics', () => {
  it('refuses keys that are not content addresses, and leaves no temporary file behind', async () => {
    const local = new LocalStorage(join(dir, 'local2'));
    const src = join(dir, 'x');
    writeFileSync(src, 'x');
    await expect(local.put('../../etc/passwd', src)).rejects.toThrow(/invalid storage key/);
    await expect(local.put(`${SITE}/../../x`, src)).rejects.toThrow(/invalid storage key/);
    await local.put(`${SITE}/${sha(Buffer.from('x'))}`, src);
    expect(readdirSync(join(dir, 'local2', SITE))).toEqual([sha(Buffer.from('x'))]);
  });
});

describe('S3 multipart', () => {
  it('uploads a 20 MB file in parts and reads back exactly the same bytes', { timeout: 120_000 }, async () => {
    const big = randomBytes(20 * 1024 * 1024);
    const src = join(dir, 'big');
    writeFileSync(src, big);
    const key = `${SITE}/${sha(big)}`;
    const commands: string[] = [];
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    await s3.put(key, src);
    s3.client.middlewareStack.remove('countCommands');
    const out = join(dir, 'big-copy');
    await s3.download(key, out);
    expect(sha(readFileSync(out))).toBe(sha(big));
    // Four 5 MiB parts: the object was assembled by CompleteMultipartUpload, never sent whole.
    expect(commands).toEqual([
      'CreateMultipartUploadCommand',
      ...Array(4).fill('UploadPartCommand'),
      'CompleteMultipartUploadCommand',
    ]);
    const tail = await buffer(await s3.read(key, { start: big.length - 3, end: big.length - 1 }));
    expect(tail).toEqual(big.subarray(-3));
  });
});

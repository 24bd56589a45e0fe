import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams bytes to a file while hashing (SHA-256) and counting them: an upload or a legacy file reaches the
 * content-addressed media pipeline (issue 8) without ever being held whole in memory.
 */
export async function writeHashed(
  source: NodeJS.ReadableStream,
  path: string,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(source, tap, createWriteStream(path));
  return { size, sha256: hash.digest('hex') };
}

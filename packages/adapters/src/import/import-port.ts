import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportPort } from '@zhanqun/core';
import { openSource } from '@zhanqun/importers';
import { openFileStore } from '@zhanqun/importers/files';

/**
 * The import port (issue 11): legacy sources opened by the adapters of @zhanqun/importers, uploads read from a
 * folder or zip (never fetched), files copied to the media temp dir with their SHA-256 for the media pipeline.
 */
export function importPort(opts: { importDir: string; tmpDir: string }): ImportPort {
  const importDir = resolve(opts.importDir);
  return {
    importDir,
    open: (paths, o) => openSource(paths, { system: o.system ?? null, baseUrls: o.baseUrls ?? [] }),
    async openFiles(pathOrZip, o) {
      // Symlinks are resolved once here; the store itself refuses entries that lead outside.
      return openFileStore(await realpath(pathOrZip), { baseUrls: o.baseUrls ?? [] });
    },
    async receive(file) {
      await mkdir(opts.tmpDir, { recursive: true });
      const path = join(opts.tmpDir, `import-${randomUUID()}`);
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(await file.open(), tap, createWriteStream(path));
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
      return { path, size, sha256: hash.digest('hex'), cleanup: () => rm(path, { force: true }) };
    },
  };
}

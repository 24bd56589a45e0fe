import { randomUUID } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImportPort } from '@zhanqun/core';
import { openSource } from '@zhanqun/importers';
import { openFileStore } from '@zhanqun/importers/files';
import { writeHashed } from '../media/write-hashed.ts';

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
      try {
        const { size, sha256 } = await writeHashed(await file.open(), path);
        return { path, size, sha256, cleanup: () => rm(path, { force: true }) };
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
    },
  };
}

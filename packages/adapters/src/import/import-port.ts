import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImportPort, MediaStorage } from '@zhanqun/core';
import { openSource, threadedSource } from '@zhanqun/importers';
import { extractZip, openFileStore } from '@zhanqun/importers/files';
import { writeHashed } from '../media/write-hashed.ts';

/**
 * The import port (issue 11): legacy sources opened by the adapters of @zhanqun/importers, uploads read from a
 * folder or zip (never fetched), files copied to the media temp dir with their SHA-256 for the media pipeline.
 */
export function importPort(opts: { importDir: string; tmpDir: string; storage: MediaStorage }): ImportPort {
  const importDir = resolve(opts.importDir);
  const key = (siteId: string, sha256: string) => `imports/${siteId}/${sha256}`;
  return {
    uploads: {
      put: (siteId, sha256, path) => opts.storage.put(key(siteId, sha256), path),
      exists: (siteId, sha256) => opts.storage.exists(key(siteId, sha256)),
      delete: (siteId, sha256) => opts.storage.delete(key(siteId, sha256)),
      async fetch(siteId, sha256, name, workDir, extract) {
        const dir = join(workDir, sha256);
        await mkdir(dir, { recursive: true });
        const file = join(dir, name);
        await opts.storage.download(key(siteId, sha256), file);
        if (!extract || !(await isZip(file))) return file;
        // A bundle or a static snapshot as a zip: the adapters read folders; extracted with importers' limits.
        const folder = join(dir, 'x');
        await extractZip(file, folder);
        await rm(file, { force: true });
        return folder;
      },
      async workDir() {
        await mkdir(opts.tmpDir, { recursive: true });
        const path = await mkdtemp(join(opts.tmpDir, 'import-run-'));
        return { path, remove: () => rm(path, { recursive: true, force: true }) };
      },
    },
    importDir,
    // Opened here (the adapter chosen, the site's name); read on a thread of its own (importers' threaded.ts).
    open: async (paths, o) => {
      const options = { baseUrls: o.baseUrls ?? [] };
      return threadedSource(await openSource(paths, { ...options, system: o.system ?? null }), paths, options);
    },
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

/** A zip by its magic bytes (local file header, or the end record of an empty archive), not by its name. */
async function isZip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b.readUInt32LE(0) === 0x04034b50 || b.readUInt32LE(0) === 0x06054b50;
  } finally {
    await fh.close();
  }
}

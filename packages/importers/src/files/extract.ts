/**
 * Extracts a zip to a folder, for sources an adapter reads as a folder (a bundle, a static snapshot uploaded
 * through the API). Issue 11: "Archives are extracted safely (no path traversal, size and count limits)" — the
 * zip is opened by `openFileStore`, which already refuses unsafe names (absolute, `..`, drive letters, control
 * characters), symlinks, encrypted entries, too many entries and too many declared bytes, and counts the bytes
 * actually inflated (a zip bomb that lies about its sizes fails its stream). Only the entries it lists are written,
 * each under `dir`, checked once more after joining.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImportSourceError } from '../record.ts';
import { type FileStoreLimits, openFileStore, type RejectedEntry } from './file-store.ts';

export interface Extracted {
  files: number;
  bytes: number;
  /** Entries refused (unsafe names, symlinks, too large…): not written. */
  rejected: RejectedEntry[];
}

export async function extractZip(zip: string, dir: string, limits?: Partial<FileStoreLimits>): Promise<Extracted> {
  const store = await openFileStore(zip, { limits });
  if (store.kind !== 'zip') {
    await store.close();
    throw new ImportSourceError('ARCHIVE_INVALID', `${zip} is not a zip archive`);
  }
  const root = resolve(dir);
  let files = 0;
  let bytes = 0;
  try {
    await mkdir(root, { recursive: true });
    for await (const f of store.list()) {
      const target = resolve(root, f.path);
      // Defence in depth: openFileStore's names are `..`-free already.
      if (!target.startsWith(root + sep)) {
        store.rejected.push({ name: f.path, reason: 'TRAVERSAL' });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await pipeline(await f.open(), createWriteStream(target, { flags: 'wx' }));
      files += 1;
      bytes += f.size;
    }
  } finally {
    await store.close();
  }
  return { files, bytes, rejected: store.rejected };
}

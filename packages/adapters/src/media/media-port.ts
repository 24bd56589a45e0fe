import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaPort, MediaStorage } from '@zhanqun/core';
import { type Config, mediaSettingsFrom } from '../config.ts';
import { LocalStorage } from '../storage/local-storage.ts';
import { mediaTools } from './media-tools.ts';
import { textExtractionPool } from './text-pool.ts';

export function mediaStorageFrom(c: Config): MediaStorage {
  if (c.MEDIA_STORAGE === 's3')
    return onFirstUse(() =>
      import('../storage/s3-storage.ts').then(
        ({ S3Storage }) =>
          new S3Storage({
            endpoint: c.S3_ENDPOINT,
            region: c.S3_REGION,
            bucket: c.S3_BUCKET!,
            accessKeyId: c.S3_ACCESS_KEY_ID,
            secretAccessKey: c.S3_SECRET_ACCESS_KEY,
            forcePathStyle: c.S3_FORCE_PATH_STYLE,
            prefix: c.S3_PREFIX,
          }),
      ),
    );
  return new LocalStorage(c.MEDIA_DIR);
}

/**
 * The S3 storage, its SDK loaded on the first call: the AWS SDK costs ~12 MB of resident memory, which a process
 * on local storage, or one that never stores a file (most imports), should not carry (ADR 0032).
 */
function onFirstUse(make: () => Promise<MediaStorage>): MediaStorage {
  let storage: Promise<MediaStorage> | null = null;
  const get = () => {
    storage ??= make();
    return storage;
  };
  return {
    put: async (key, sourcePath) => (await get()).put(key, sourcePath),
    read: async (key, range) => (await get()).read(key, range),
    exists: async (key) => (await get()).exists(key),
    delete: async (key) => (await get()).delete(key),
    download: async (key, destPath) => (await get()).download(key, destPath),
  };
}

export const mediaTmpDir = (c: Config) => c.MEDIA_TMP_DIR ?? join(tmpdir(), 'zhanqun-media');

/** The media port; `close` stops its text-extraction thread (the platform calls it on shutdown). */
export function mediaPortFrom(c: Config): MediaPort & { close(): Promise<void> } {
  const text = textExtractionPool();
  return {
    storage: mediaStorageFrom(c),
    tools: mediaTools({ tmpDir: mediaTmpDir(c), maxPixels: c.MEDIA_MAX_PIXELS }, text),
    settings: mediaSettingsFrom(c),
    close: () => text.close(),
  };
}

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { MediaStorage } from '@zhanqun/core';

// Media originals and renditions; `imports/…` holds legacy exports uploaded for an import (issue 11).
const KEY = /^(imports\/)?[0-9a-f-]{36}\/[0-9a-f]{64}(\.w\d{2,4}\.(webp|avif|jpg|png|gif))?$/;

/**
 * The embedded default: files under one directory (`.data/media`). A write goes to a temporary file in the
 * same directory and is renamed into place, so a reader never sees half a file and a crash leaves only a
 * `.tmp-*` file behind (never a wrong object under a content address).
 */
export class LocalStorage implements MediaStorage {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Keys are content addresses built by core; anything else is refused before it can become a path. */
  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid storage key: ${key}`);
    const p = join(this.root, ...key.split('/'));
    if (!p.startsWith(this.root + sep)) throw new Error(`invalid storage key: ${key}`);
    return p;
  }

  async put(key: string, sourcePath: string): Promise<void> {
    const dest = this.path(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${randomUUID()}`;
    try {
      await copyFile(sourcePath, tmp);
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream> {
    const p = this.path(key);
    await stat(p);
    return createReadStream(p, range ? { start: range.start, end: range.end } : {});
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async download(key: string, destPath: string): Promise<void> {
    await copyFile(this.path(key), destPath);
  }
}

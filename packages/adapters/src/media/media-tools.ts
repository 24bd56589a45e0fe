import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaTools } from '@zhanqun/core';
import { prepareFile } from './prepare.ts';
import { textExtractionPool } from './text-pool.ts';
import { imageHasAlpha, makeRenditions } from './renditions.ts';

/** The media tools port over file-type, sharp, thumbhash, unpdf and mammoth. */
export function mediaTools(
  opts: { tmpDir: string; maxPixels: number },
  text: Pick<ReturnType<typeof textExtractionPool>, 'extractText'> = textExtractionPool(),
): MediaTools {
  return {
    prepare: (path, fileName, sha256) => prepareFile(path, fileName, opts, sha256),
    renditions: makeRenditions,
    hasAlpha: imageHasAlpha,
    extractText: (path, mediaType) => text.extractText(path, mediaType),
    async tempDir() {
      await mkdir(opts.tmpDir, { recursive: true });
      const path = await mkdtemp(join(opts.tmpDir, 'work-'));
      return { path, remove: () => rm(path, { recursive: true, force: true }) };
    },
  };
}

import { join } from 'node:path';
import { type MadeRendition, parseRenditionName } from '@zhanqun/core';
import { sha256File } from './prepare.ts';
import { loadSharp } from './sharp.ts';

const MIME = { webp: 'image/webp', avif: 'image/avif', jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

/**
 * Resizes a stored (already clean) image to the named renditions. One decoded input per width, cloned per
 * format; output carries no metadata (sharp's default), so renditions are as clean as the stored original.
 */
export async function makeRenditions(
  srcPath: string,
  names: string[],
  outDir: string,
  animated: boolean,
): Promise<MadeRendition[]> {
  const byWidth = new Map<number, { name: string; format: keyof typeof MIME }[]>();
  for (const name of names) {
    const p = parseRenditionName(name);
    if (!p) throw new Error(`unknown rendition ${name}`);
    byWidth.set(p.width, [...(byWidth.get(p.width) ?? []), { name, format: p.format }]);
  }
  const made: MadeRendition[] = [];
  const sharp = await loadSharp();
  for (const [width, outs] of byWidth) {
    const resized = sharp(srcPath, { animated }).resize({ width, withoutEnlargement: true });
    await Promise.all(
      outs.map(async ({ name, format }) => {
        const path = join(outDir, name);
        const s = resized.clone();
        const encoded =
          format === 'webp'
            ? s.webp({ quality: 78 })
            : format === 'avif'
              ? s.avif({ quality: 50, effort: 2 })
              : format === 'jpg'
                ? s.jpeg({ quality: 82, mozjpeg: true })
                : format === 'png'
                  ? s.png({ compressionLevel: 6 })
                  : s.gif();
        const info = await encoded.toFile(path);
        const { sha256, size } = await sha256File(path);
        made.push({
          name,
          path,
          sha256,
          size,
          mediaType: MIME[format],
          width: info.width,
          height: animated ? ((info as { pageHeight?: number }).pageHeight ?? info.height) : info.height,
        });
      }),
    );
  }
  return made;
}

export async function imageHasAlpha(path: string): Promise<boolean> {
  const sharp = await loadSharp();
  return (await sharp(path).metadata()).hasAlpha ?? false;
}

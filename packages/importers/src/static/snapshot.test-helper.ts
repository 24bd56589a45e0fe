/**
 * Test helper: lay out the realistic snapshot of test-fixtures/static/site in a temp folder. Files named
 * `*.gbk.html` are kept in the repository as UTF-8 (readable in review) and written here as GBK bytes, as the
 * TRS and DedeCMS sites of the city published them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

export const FIXTURE_SITE = join(dirname(fileURLToPath(import.meta.url)), '../../test-fixtures/static/site');

async function* files(dir: string): AsyncGenerator<string> {
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Write the snapshot under `target` (optionally inside a wrapper folder); returns the paths written. */
export async function writeSnapshot(target: string, wrapper = ''): Promise<Map<string, Buffer>> {
  const written = new Map<string, Buffer>();
  for await (const src of files(FIXTURE_SITE)) {
    const rel = relative(FIXTURE_SITE, src).split('\\').join('/');
    const text = await readFile(src, 'utf8');
    const gbk = rel.includes('.gbk.');
    const out = (wrapper ? `${wrapper}/` : '') + rel.replace('.gbk.', '.');
    const bytes = gbk ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
    const dest = join(target, ...out.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, bytes);
    written.set(out, bytes);
  }
  return written;
}

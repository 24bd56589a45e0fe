/**
 * Every legacy adapter, and `openSource`: sniff the input, open it with the surest adapter (or the one named).
 * Each adapter only reads its own format (issue 11: WordPress WXR, DedeCMS 5.x, PHPCMS v9, a static site snapshot,
 * the documented JSON Lines / CSV bundle); adding a format is adding it here.
 */
import { open, stat } from 'node:fs/promises';
import { bundleAdapter } from './bundle/bundle.ts';
import { dedecmsAdapter } from './dedecms/adapter.ts';
import { phpcmsAdapter } from './phpcms/adapter.ts';
import {
  type ImportSource,
  ImportSourceError,
  type OpenOptions,
  type SourceAdapter,
  type SourceInput,
  type SourceSystem,
} from './record.ts';
import { staticSiteAdapter } from './static/adapter.ts';
import { wxrAdapter } from './wxr/adapter.ts';

export const adapters: SourceAdapter[] = [wxrAdapter, dedecmsAdapter, phpcmsAdapter, staticSiteAdapter, bundleAdapter];

/** Reads what the user pointed at: the head of the first file, or that it is a folder. */
export async function sourceInput(paths: string[]): Promise<SourceInput> {
  if (paths.length === 0) throw new ImportSourceError('SOURCE_MISSING', 'No source given');
  let first: Awaited<ReturnType<typeof stat>>;
  try {
    first = await stat(paths[0]!);
  } catch {
    throw new ImportSourceError('SOURCE_MISSING', `Source not found: ${paths[0]}`);
  }
  if (first.isDirectory()) return { paths, head: null, isDirectory: true };
  const fh = await open(paths[0]!, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { paths, head: buf.subarray(0, bytesRead), isDirectory: false };
  } finally {
    await fh.close();
  }
}

/** Opens the source with the adapter of `system`, or the one whose sniff is surest; refuses an unknown format. */
export async function openSource(
  paths: string[],
  options: OpenOptions & { system?: SourceSystem | null } = {},
): Promise<ImportSource> {
  const input = await sourceInput(paths);
  if (options.system) {
    const named = adapters.find((a) => a.system === options.system);
    if (!named) throw new ImportSourceError('UNKNOWN_SYSTEM', `No adapter for ${options.system}`);
    return named.open(input, options);
  }
  const ranked = adapters
    .map((a) => ({ a, score: a.sniff(input) }))
    .filter((r) => r.score > 0)
    .sort((x, y) => y.score - x.score);
  if (ranked.length === 0)
    throw new ImportSourceError('UNRECOGNISED_SOURCE', 'No adapter recognises this source; name it with --system');
  let last: unknown;
  for (const { a } of ranked) {
    try {
      return await a.open(input, options);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

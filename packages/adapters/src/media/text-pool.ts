import { Piscina } from 'piscina';

/**
 * Text extraction (unpdf / pdf.js, mammoth) on a worker thread: parsing a large PDF is long synchronous work.
 * The worker process did it on its own event loop; since level 3 also reads a not-yet-extracted attachment
 * itself (issue 8: the personal-data check must not skip it), the API must not parse on its event loop either.
 * One thread at most, started on demand and stopped when idle; the same Piscina setup as the HTML pool (ADR 0010).
 */
export function textExtractionPool(): {
  extractText(path: string, mediaType: string): Promise<string | null>;
  close(): Promise<void>;
} {
  let pool: Piscina | null = null;
  return {
    extractText(path, mediaType) {
      pool ??= new Piscina({
        filename: new URL('./extract-text-worker.ts', import.meta.url).href,
        minThreads: 0,
        maxThreads: 1,
        idleTimeout: 30_000,
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      });
      return pool.run({ path, mediaType });
    },
    async close() {
      await pool?.destroy();
      pool = null;
    },
  };
}

/**
 * V8 flags the worker runs with (`pnpm --filter @zhanqun/worker start`, the same list in package.json; a test
 * keeps the two equal). Issue 11: peak RSS ≤ 300 MB while importing a 1 GB export, flat in its size. Nothing of
 * an import is kept per item, but V8 sizes its young generation to the allocation rate (parsing, sanitising)
 * and collects the old one late when no limit is near: small semi-spaces and an old-space cap keep the resident
 * set near the live data. See docs/adr/0015-import-pipeline.md (Performance).
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=200'];

/**
 * Environment the worker starts with (every way of starting it sets it; a test keeps them equal). glibc gives each
 * thread that allocates its own malloc arena, up to 8 per core; the worker has a dozen threads (V8's helpers, libuv's
 * pool, the HTML pool's thread) and each arena keeps freed memory resident: two arenas cut an import's peak RSS by
 * ~20–45 MB at no measured cost in speed (ADR 0032). Read at process start, so it cannot be set from inside.
 */
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/**
 * Texts a batch binds, as UTF-8 bytes in memory that is allocated once and reused by batch after batch (issue 11:
 * import throughput).
 *
 * An import batch's long texts — staged payloads, revisions' canonical content and plain text — live until its write
 * has committed: tens of milliseconds, long enough for V8 to move every one of them into its old space, whose
 * collections (marking a 50 MB heap every few hundred items) were the largest CPU cost of an import after the
 * sanitiser. Bytes in buffers of their own are no better: V8 counts live ArrayBuffers towards the same limit until a
 * full collection frees them. Written into an arena that the next batch overwrites, they cost the collector
 * nothing, and PostgreSQL receives them as they are (`text` and `json` in binary format are their UTF-8 bytes).
 *
 * A view handed out stays valid until `reset`: the arena is reset only once the statement that binds the views has
 * completed.
 */
export class ByteArena {
  private chunks: Buffer[] = [];
  private index = 0;
  private at = 0;
  private readonly chunkSize: number;

  constructor(chunkSize = 1 << 20) {
    this.chunkSize = chunkSize;
  }

  /** `s` in UTF-8, after one `prefix` byte when given (jsonb's binary format starts with its version, 1). */
  text(s: string, prefix?: number): Buffer {
    return this.joined([s], prefix);
  }

  /**
   * The parts one after the other — texts in UTF-8, bytes as they are — after one `prefix` byte when given: a
   * revision's canonical content around its body's JSON string as the HTML pool wrote it (import-bodies.ts).
   */
  joined(parts: readonly (string | Uint8Array)[], prefix?: number): Buffer {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
    let room = prefix === undefined ? 0 : 1;
    for (const p of parts) room += typeof p === 'string' ? p.length * 3 : p.length;
    let chunk = this.chunks[this.index];
    if (!chunk || this.at + room > chunk.length) {
      if (chunk) this.index += 1;
      this.at = 0;
      chunk = this.chunks[this.index];
      if (!chunk || chunk.length < room) {
        chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkSize, room));
        this.chunks[this.index] = chunk;
      }
    }
    const start = this.at;
    let end = start;
    if (prefix !== undefined) chunk[end++] = prefix;
    for (const p of parts) {
      if (typeof p === 'string') end += chunk.write(p, end, 'utf8');
      else {
        chunk.set(p, end);
        end += p.length;
      }
    }
    this.at = end;
    return chunk.subarray(start, end);
  }

  /** Every view handed out is given up: the memory is written again. A chunk far larger than usual is let go. */
  reset(): this {
    this.chunks = this.chunks.filter((c) => c.length <= 4 * this.chunkSize);
    this.index = 0;
    this.at = 0;
    return this;
  }
}

/** Arenas for batches in flight: one taken per batch, given back when its write has settled. */
export class ByteArenas {
  private free: ByteArena[] = [];

  take(): ByteArena {
    return this.free.pop() ?? new ByteArena();
  }

  /** Gives `arena` back once `settled` has: its views are bound by the statement `settled` waits for. */
  giveBack(arena: ByteArena, settled: Promise<unknown>): void {
    settled.then(
      () => this.free.push(arena.reset()),
      () => this.free.push(arena.reset()),
    );
  }
}

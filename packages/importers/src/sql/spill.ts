/**
 * A keyed store of small JSON records on a temporary file, for the one join a dump needs before it can yield
 * items: an article's metadata row (DedeCMS `archives`, PHPCMS `news`) with its body row (`addonarticle`,
 * `news_data`), which a mysqldump writes in alphabetical table order — bodies first for DedeCMS. Holding every
 * metadata row in memory would grow with the dump (a 1 GB dump has ~300k of them); here memory holds only an
 * offset per key, the records live on disk, and the file is removed on close. Reads and writes are synchronous
 * `pread`/`pwrite` calls: the records are small and hot in the page cache, and a thread-pool round trip per
 * article cost more than the read itself. A read takes READ_AHEAD bytes at a time: a dump writes both tables in
 * key order, so the next record asked for is nearly always the next one on file (issue 11: one `pread` per article
 * was ~5 % of a DedeCMS import's reading thread).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLUSH_AT = 1024 * 1024;
const READ_AHEAD = 64 * 1024;

export class SpillStore<T> {
  private readonly index = new Map<string, number>();
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private readonly dir: string;
  private fd: number | null;
  /** The bytes of the file at [blockAt, blockAt + blockLength), as last read. Records never change once written. */
  private block: Buffer = Buffer.alloc(0);
  private blockAt = 0;
  private blockLength = 0;

  private constructor(dir: string, fd: number) {
    this.dir = dir;
    this.fd = fd;
  }

  static async create<T>(): Promise<SpillStore<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'zhanqun-import-'));
    return new SpillStore<T>(dir, openSync(join(dir, 'spill.jsonl'), 'w+'));
  }

  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Keys in insertion order. */
  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  put(key: string, value: T): void {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    const slot = this.offsets.length;
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(bytes.length);
    this.index.set(key, slot); // a later row with the same key wins, as it would in MySQL (REPLACE)
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending);
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd!, buf, done, buf.length - done, this.written + done);
    this.written += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  get(key: string): T | undefined {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    this.flush();
    const at = this.offsets[slot]!;
    const len = this.lengths[slot]!;
    if (at < this.blockAt || at + len > this.blockAt + this.blockLength) this.readBlock(at, len);
    const from = at - this.blockAt;
    return JSON.parse(this.block.toString('utf8', from, from + len)) as T;
  }

  /** Reads the file from `at`: READ_AHEAD bytes, or the whole record when it is longer. */
  private readBlock(at: number, len: number): void {
    const size = Math.max(READ_AHEAD, len);
    if (this.block.length < size) this.block = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const r = readSync(this.fd!, this.block, done, size - done, at + done);
      if (r === 0) break;
      done += r;
    }
    this.blockAt = at;
    this.blockLength = done;
  }

  async close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    await rm(this.dir, { recursive: true, force: true });
  }
}

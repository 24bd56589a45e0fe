/**
 * A keyed store of small JSON records on a temporary file, for the one join a dump needs before it can yield
 * items: an article's metadata row (DedeCMS `archives`, PHPCMS `news`) with its body row (`addonarticle`,
 * `news_data`), which a mysqldump writes in alphabetical table order — bodies first for DedeCMS. Holding every
 * metadata row in memory would grow with the dump (a 1 GB dump has ~300k of them); here memory holds only an
 * offset per key, the records live on disk, and the file is removed on close.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLUSH_AT = 1024 * 1024;

export class SpillStore<T> {
  private readonly index = new Map<string, number>();
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private readonly dir: string;
  private readonly fh: FileHandle;

  private constructor(dir: string, fh: FileHandle) {
    this.dir = dir;
    this.fh = fh;
  }

  static async create<T>(): Promise<SpillStore<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'zhanqun-import-'));
    const fh = await open(join(dir, 'spill.jsonl'), 'w+');
    return new SpillStore<T>(dir, fh);
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

  async put(key: string, value: T): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    const slot = this.offsets.length;
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(bytes.length);
    this.index.set(key, slot); // a later row with the same key wins, as it would in MySQL (REPLACE)
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending);
    await this.fh.write(buf, 0, buf.length, this.written);
    this.written += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  async get(key: string): Promise<T | undefined> {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    await this.flush();
    const len = this.lengths[slot]!;
    const buf = Buffer.alloc(len);
    await this.fh.read(buf, 0, len, this.offsets[slot]!);
    return JSON.parse(buf.toString('utf8')) as T;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

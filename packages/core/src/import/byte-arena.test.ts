import { describe, expect, it } from 'vitest';
import { ByteArena, ByteArenas } from './byte-arena.ts';

describe('ByteArena', () => {
  it('hands out each text as its own UTF-8 bytes, none overwriting another until reset', () => {
    const arena = new ByteArena(64);
    const texts = [
      '通知公告',
      '',
      'a"b\\c',
      '\u{1F600} 表情',
      '长'.repeat(100),
      'x'.repeat(10),
      '关于印发《办法》的通知',
    ];
    const views = texts.map((t) => arena.text(t));
    expect(views.map((v) => v.toString('utf8'))).toEqual(texts);
    // A text longer than a chunk gets a chunk of its own; the others are untouched.
    expect(views[4]!.length).toBe(300);
  });

  it('writes a prefix byte before the text (jsonb binary format: version 1)', () => {
    const arena = new ByteArena(16);
    const v = arena.text('{"a":"标题"}', 1);
    expect(v[0]).toBe(1);
    expect(v.subarray(1).toString('utf8')).toBe('{"a":"标题"}');
  });

  it('joins texts and bytes into one view, after the prefix byte, across a chunk boundary', () => {
    const arena = new ByteArena(16);
    arena.text('0123456789');
    const body = Buffer.from(JSON.stringify('<p>正文"引号"</p>'), 'utf8');
    const v = arena.joined(['{"a":1,"body":', body, ',"title":"标题"}'], 1);
    expect(v[0]).toBe(1);
    expect(JSON.parse(v.subarray(1).toString('utf8'))).toEqual({ a: 1, body: '<p>正文"引号"</p>', title: '标题' });
  });

  it('reuses its memory after reset: the next texts are written where the first ones were', () => {
    const arena = new ByteArena(1024);
    const first = arena.text('第一批');
    arena.reset();
    const second = arena.text('第二批');
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    expect(first.toString('utf8')).toBe('第二批');
  });

  it('is given back by ByteArenas only once the write it was bound to has settled, failed or not', async () => {
    const arenas = new ByteArenas();
    const a = arenas.take();
    let settle!: () => void;
    const write = new Promise<void>((r) => (settle = r));
    arenas.giveBack(a, write);
    await Promise.resolve();
    expect(arenas.take()).not.toBe(a);
    settle();
    await write;
    await Promise.resolve();
    expect(arenas.take()).toBe(a);
    const b = arenas.take();
    const failed = Promise.reject(new Error('batch failed'));
    failed.catch(() => undefined);
    arenas.giveBack(b, failed);
    await failed.catch(() => undefined);
    await Promise.resolve();
    expect(arenas.take()).toBe(b);
  });
});

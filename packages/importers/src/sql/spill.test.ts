import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../text/seeded-random.ts';
import { SpillStore } from './spill.ts';

let store: SpillStore<{ id: string; text: string }> | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('SpillStore', () => {
  it('gives back every record as put, in any order, between further puts, whatever its size', async () => {
    store = await SpillStore.create();
    const random = seededRandom(5);
    const expected = new Map<string, { id: string; text: string }>();
    // Records from a few bytes to 200 KB (longer than a read-ahead block), Chinese text included.
    const record = (i: number) => ({
      id: String(i),
      text: '政务公开'.repeat(Math.floor(random() ** 6 * 17_000)) + String(i),
    });
    for (let i = 0; i < 3000; i++) {
      const r = record(i);
      store.put(r.id, r);
      expected.set(r.id, r);
      // Reads in file order, backwards and at random while the file grows.
      if (i % 7 === 0) expect(store.get(String(i))).toEqual(r);
      if (i % 11 === 0) {
        const earlier = String(Math.floor(random() * (i + 1)));
        expect(store.get(earlier)).toEqual(expected.get(earlier));
      }
    }
    for (let i = 0; i < 3000; i++) expect(store.get(String(i))).toEqual(expected.get(String(i)));
    for (let i = 2999; i >= 0; i -= 3) expect(store.get(String(i))).toEqual(expected.get(String(i)));
    for (let k = 0; k < 2000; k++) {
      const i = String(Math.floor(random() * 3000));
      expect(store.get(i)).toEqual(expected.get(i));
    }
    // A key put again is the later record (MySQL's REPLACE), also after its first copy was read.
    const again = { id: '5', text: '更新' };
    store.put('5', again);
    expect(store.get('5')).toEqual(again);
    expect(store.get('6')).toEqual(expected.get('6'));
    expect(store.get('nope')).toBeUndefined();
    expect(store.size).toBe(3000);
  });
});

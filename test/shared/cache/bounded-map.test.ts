import { BoundedMap } from '../../../shared/cache/bounded-map';

describe('BoundedMap', () => {
  it('holds maxEntries and drops the oldest when one more is set', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.size).toBe(2);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBeUndefined();
    expect([map.get('b'), map.get('c')]).toEqual([2, 3]);
  });

  it('makes a key written again the newest, without dropping another', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    expect(map.size).toBe(2);
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(10);
  });

  it('keeps a touched key over an older one, and get alone does not', () => {
    const touched = new BoundedMap<string, number>(2);
    touched.set('a', 1);
    touched.set('b', 2);
    expect(touched.touch('a')).toBe(1);
    touched.set('c', 3);
    expect(touched.get('a')).toBe(1);
    expect(touched.get('b')).toBeUndefined();

    const read = new BoundedMap<string, number>(2);
    read.set('a', 1);
    read.set('b', 2);
    expect(read.get('a')).toBe(1);
    read.set('c', 3);
    expect(read.get('a')).toBeUndefined();
  });
});

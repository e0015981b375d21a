import { describe, expect, it } from 'vitest';
import { attributeNeighbours, BUCKET_SCAN, type CatalogItemLike } from './attributes.js';

const item = (id: string, category: string, brand: string, tags: string[] = []): CatalogItemLike => ({
  id,
  category,
  brand,
  tags,
});

describe('attributeNeighbours', () => {
  const items = [
    item('shoe-a', 'shoes', 'acme', ['trail', 'red']), // 0
    item('sock-a', 'socks', 'acme', ['trail', 'red']), // 1: other category, same tags and brand
    item('shoe-b', 'shoes', 'zeta', []), // 2: same category only
    item('shoe-c', 'shoes', 'zeta', ['trail']), // 3: same category, one shared tag
    item('hat-a', 'hats', 'acme', []), // 4: brand only
    item('hat-b', 'hats', 'none', []), // 5: nothing in common with shoe-a
  ];
  const ids = (list: Array<[number, number]>) => list.map(([j]) => items[j]!.id);

  it('ranks same-category items first, then shared tags, then brand', () => {
    const n = attributeNeighbours(items, 10)[0]!;
    expect(ids(n)).toEqual(['shoe-c', 'shoe-b', 'sock-a', 'hat-a']);
    for (let r = 1; r < n.length; r++) expect(n[r]![1]).toBeLessThanOrEqual(n[r - 1]![1]);
  });

  it('never lists the item itself or items with nothing in common', () => {
    const all = attributeNeighbours(items, 10);
    all.forEach((list, i) => {
      expect(list.map(([j]) => j)).not.toContain(i);
    });
    expect(ids(all[0]!)).not.toContain('hat-b');
  });

  it('keeps at most k neighbours', () => {
    expect(attributeNeighbours(items, 2)[0]!.length).toBe(2);
  });

  it('breaks ties by catalog distance, deterministically', () => {
    const same = Array.from({ length: 9 }, (_, i) => item(`x${i}`, 'c', 'b'));
    const first = attributeNeighbours(same, 2);
    expect(first[4]!.map(([j]) => j)).toEqual([3, 5]);
    expect(first[0]!.map(([j]) => j)).toEqual([1, 8]); // circular: 8 is as near as 1
    expect(attributeNeighbours(same, 2)).toEqual(first);
  });

  it('still finds same-category neighbours in a category larger than the scan window', () => {
    const big = Array.from({ length: BUCKET_SCAN * 3 }, (_, i) =>
      item(`i${i}`, i === 1500 ? 'odd' : 'big', ''),
    );
    const n = attributeNeighbours(big, 5);
    expect(n[2000]!.map(([j]) => j)).toEqual([1999, 2001, 1998, 2002, 1997]);
    expect(n[1500]).toEqual([]);
  });
});

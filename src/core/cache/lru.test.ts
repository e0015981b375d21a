import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from './lru.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when over the entry limit', () => {
    const lru = new LruCache<string, number>({ maxEntries: 2 });
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now more recent than b
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('evicts by bytes, oldest first, until the budget holds', () => {
    const lru = new LruCache<string, string>({ maxEntries: 100, maxBytes: 10, sizeOf: (s) => s.length });
    lru.set('a', 'xxxx');
    lru.set('b', 'xxxx');
    lru.set('c', 'xxxxxx'); // 14 bytes: a must go
    expect(lru.has('a')).toBe(false);
    expect(lru.has('b')).toBe(true);
    expect(lru.bytes).toBe(10);
    lru.set('d', 'xxxxxxxxx'); // 9 bytes: b and c must go
    expect([lru.has('b'), lru.has('c'), lru.has('d')]).toEqual([false, false, true]);
    expect(lru.bytes).toBe(9);
  });

  it('refuses a value bigger than the whole budget and keeps the rest', () => {
    const lru = new LruCache<string, string>({ maxEntries: 10, maxBytes: 5 });
    lru.set('small', 's', 2);
    expect(lru.set('huge', 'h', 6)).toBe(false);
    expect(lru.has('huge')).toBe(false);
    expect(lru.get('small')).toBe('s');
  });

  it('replacing a key updates its size and recency', () => {
    const lru = new LruCache<string, string>({ maxEntries: 2, maxBytes: 100 });
    lru.set('a', '1', 10);
    lru.set('b', '2', 10);
    lru.set('a', '3', 30);
    expect(lru.bytes).toBe(40);
    lru.set('c', '4', 1);
    expect(lru.has('b')).toBe(false);
    expect(lru.get('a')).toBe('3');
  });

  it('deletes and clears, keeping the byte count right', () => {
    const lru = new LruCache<string, string>({ maxEntries: 5 });
    lru.set('a', 'x', 3);
    lru.set('b', 'y', 4);
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('a')).toBe(false);
    expect(lru.bytes).toBe(4);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
    expect(lru.get('b')).toBeUndefined();
  });

  it('never exceeds its bounds, whatever the sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(20), bytes: fc.nat(40) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(20) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const lru = new LruCache<number, number>({ maxEntries: 5, maxBytes: 50 });
        const sizes = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            if (lru.set(o.key, o.key, o.bytes)) sizes.set(o.key, o.bytes);
          } else if (o.kind === 'get') lru.get(o.key);
          else lru.delete(o.key);
          expect(lru.size).toBeLessThanOrEqual(5);
          expect(lru.bytes).toBeLessThanOrEqual(50);
        }
        let sum = 0;
        for (const [k, bytes] of sizes) if (lru.has(k)) sum += bytes;
        expect(lru.bytes).toBe(sum);
      }),
    );
  });
});

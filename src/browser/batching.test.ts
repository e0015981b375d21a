import { describe, expect, it } from 'vitest';
import { BATCH_MAX, chunk, flushDelay, IDLE_FLUSH_MS, isUrgent, URGENT_DELAY_MS } from './batching.js';

describe('isUrgent', () => {
  it('treats events that shape the next page as urgent', () => {
    for (const t of [
      'page',
      'click',
      'add_to_cart',
      'purchase',
      'consent',
      'identify',
      'feedback',
    ] as const) {
      expect(isUrgent(t)).toBe(true);
    }
  });

  it('lets measurement events wait for a batch', () => {
    for (const t of ['view', 'scroll', 'dwell', 'form', 'search'] as const) expect(isUrgent(t)).toBe(false);
  });
});

describe('flushDelay', () => {
  it('has nothing to schedule for an empty queue', () => {
    expect(flushDelay(0, true)).toBeUndefined();
  });

  it('debounces urgent events briefly and batches the rest', () => {
    expect(flushDelay(1, true)).toBe(URGENT_DELAY_MS);
    expect(flushDelay(3, false)).toBe(IDLE_FLUSH_MS);
  });

  it('flushes at once when a batch is full', () => {
    expect(flushDelay(BATCH_MAX, false)).toBe(0);
  });
});

describe('chunk', () => {
  it('splits into batches of at most BATCH_MAX, keeping order', () => {
    const items = Array.from({ length: 45 }, (_, i) => i);
    const batches = chunk(items);
    expect(batches.map((b) => b.length)).toEqual([20, 20, 5]);
    expect(batches.flat()).toEqual(items);
  });

  it('returns no batch for no items', () => {
    expect(chunk([])).toEqual([]);
  });
});

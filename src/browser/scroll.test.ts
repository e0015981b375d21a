import { describe, expect, it } from 'vitest';
import { newBuckets, scrollDepth } from './scroll.js';

describe('scrollDepth', () => {
  it('measures the bottom of the viewport against the page height', () => {
    expect(scrollDepth(0, 500, 2000)).toBe(25);
    expect(scrollDepth(1500, 500, 2000)).toBe(100);
  });

  it('stays within 0-100 for odd inputs', () => {
    expect(scrollDepth(5000, 500, 2000)).toBe(100);
    expect(scrollDepth(0, 500, 0)).toBe(0);
  });
});

describe('newBuckets', () => {
  it('reports every bucket passed since the deepest reported, once', () => {
    expect(newBuckets(60, 0)).toEqual([25, 50]);
    expect(newBuckets(60, 50)).toEqual([]);
    expect(newBuckets(80, 50)).toEqual([75]);
  });

  it('counts a sub-pixel shortfall as the bottom of the page', () => {
    expect(newBuckets(99.7, 75)).toEqual([100]);
    expect(newBuckets(24, 0)).toEqual([]);
  });
});

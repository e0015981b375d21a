/**
 * Scroll depth in buckets: each of 25/50/75/100 % is reported once per page.
 * @module
 */

export const SCROLL_BUCKETS = [25, 50, 75, 100] as const;

/** How far down the visitor has seen, 0-100 %: the bottom of the viewport over the page height. */
export function scrollDepth(scrollTop: number, viewportHeight: number, documentHeight: number): number {
  if (documentHeight <= 0) return 0;
  return Math.min(100, Math.max(0, ((scrollTop + viewportHeight) / documentHeight) * 100));
}

/** Buckets reached at `depth` that exceed the deepest one already reported. */
export function newBuckets(depth: number, deepestReported: number): number[] {
  // Rounded, so a sub-pixel shortfall never keeps the visitor from reaching 100 %.
  const d = Math.round(depth);
  return SCROLL_BUCKETS.filter((b) => b > deepestReported && b <= d);
}

/**
 * The `seen` list: which event ids a profile has applied, as entries of the
 * node's physical clock in base 36, a dot and the FNV hash of the id. Kept
 * newest first and distinct; truncation keeps the newest.
 * @module
 */

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function seenEntry(p: number, hash: string): string {
  return `${base36(Math.max(0, Math.floor(p)))}.${hash}`;
}

const B36_5 = 36 ** 5;

/**
 * A whole number ≥ 0 in base 36, as `toString(36)` writes it. Split in two
 * small integers because V8's radix conversion of a large double is slow
 * (about 0.3 µs, more than the rest of recording an event id).
 */
export function base36(t: number): string {
  if (t < B36_5) return t.toString(36);
  let hi = Math.floor(t / B36_5);
  let lo = t - hi * B36_5;
  if (lo < 0) {
    // The division rounded up to the next integer (t just below a multiple of 36^5).
    hi--;
    lo += B36_5;
  }
  return hi.toString(36) + lo.toString(36).padStart(5, '0');
}

export function seenHash(entry: string): string {
  return entry.slice(entry.indexOf('.') + 1);
}

function seenTime(entry: string): number {
  return Number.parseInt(entry.slice(0, entry.indexOf('.')), 36);
}

/** The order of the list: newest first, then by the entry's text. */
export function compareSeen(a: string, b: string): number {
  return seenTime(b) - seenTime(a) || byString(a, b);
}

/** The `n` newest distinct entries, newest first. */
export function truncateSeen(seen: string[], n: number): string[] {
  return [...new Set(seen)].sort(compareSeen).slice(0, n);
}

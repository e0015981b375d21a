/**
 * The `seen` list: which event ids a profile has applied, as entries of the
 * node's physical clock in base 36, a dot and the FNV hash of the id. Kept
 * newest first and distinct; truncation keeps the newest.
 * @module
 */

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function seenEntry(p: number, hash: string): string {
  return `${Math.max(0, Math.floor(p)).toString(36)}.${hash}`;
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

/** Hash → how many entries carry it (after a merge one event may sit there twice, seen on two nodes). */
export type SeenIndex = Map<string, number>;

export function indexSeen(seen: readonly string[]): SeenIndex {
  const index: SeenIndex = new Map();
  for (const entry of seen) countSeen(index, seenHash(entry), 1);
  return index;
}

export function countSeen(index: SeenIndex, hash: string, delta: 1 | -1): void {
  const n = (index.get(hash) ?? 0) + delta;
  if (n > 0) index.set(hash, n);
  else index.delete(hash);
}

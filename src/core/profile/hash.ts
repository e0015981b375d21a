/**
 * FNV-1a, 32 bits, as 8 hex digits: short, fast, stable across runtimes.
 * Used for the `seen` set of event ids and for shortening long node ids; not
 * for anything that needs collision resistance against an adversary.
 * @module
 */
export function fnv1a32(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

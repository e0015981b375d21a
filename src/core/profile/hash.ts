/**
 * FNV-1a, 32 bits: short, fast, stable across runtimes. Used for the `seen`
 * set of event ids (as a number while folding, as 8 hex digits in the stored
 * profile) and for shortening long node ids; not for anything that needs
 * collision resistance against an adversary.
 * @module
 */
export function fnv1a32Number(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Char codes of the hex digits. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** A 32-bit number as 8 hex digits, made as one string (not four concatenations). */
export function hex8(h: number): string {
  return String.fromCharCode(
    HEX[(h >>> 28) & 15]!,
    HEX[(h >>> 24) & 15]!,
    HEX[(h >>> 20) & 15]!,
    HEX[(h >>> 16) & 15]!,
    HEX[(h >>> 12) & 15]!,
    HEX[(h >>> 8) & 15]!,
    HEX[(h >>> 4) & 15]!,
    HEX[h & 15]!,
  );
}

export function fnv1a32(s: string): string {
  return hex8(fnv1a32Number(s));
}

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

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 32-bit number as 8 hex digits. */
export function hex8(h: number): string {
  return (
    HEX_BYTE[(h >>> 24) & 0xff]! +
    HEX_BYTE[(h >>> 16) & 0xff]! +
    HEX_BYTE[(h >>> 8) & 0xff]! +
    HEX_BYTE[h & 0xff]!
  );
}

export function fnv1a32(s: string): string {
  return hex8(fnv1a32Number(s));
}

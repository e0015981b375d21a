/**
 * FNV-1a, 64-bit, over the UTF-8 bytes of a string, as 16 hex digits. Used
 * to shorten long cache keys: not cryptographic, but fast, dependency-free
 * and the same in every language (any port of the engine gets equal keys).
 * 64 bits because a 32-bit hash collides after ~77k keys at 50%.
 * @module
 */

const encoder = new TextEncoder();

export function fnv1a64(text: string): string {
  // Four 16-bit limbs, lowest first, so every product stays exact in a double.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of encoder.encode(text)) {
    h0 ^= byte;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), modulo 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    const c1 = t1 + (t0 >>> 16);
    const c2 = t2 + (c1 >>> 16);
    h3 = (t3 + (c2 >>> 16)) & 0xffff;
    h2 = c2 & 0xffff;
    h1 = c1 & 0xffff;
    h0 = t0 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

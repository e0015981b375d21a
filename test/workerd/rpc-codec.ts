/** Profiles across the test RPC boundary: the store codec's bytes, base64 in JSON. */
import { decodeProfile, encodeProfile } from '../../src/core/profile/index.js';
import type { Profile } from '../../src/core/types.js';

export type Wire = { profile: string } | { value: unknown } | { undefined: true };

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function toWire(v: unknown): Wire {
  if (v === undefined) return { undefined: true };
  if (v && typeof v === 'object' && 'recent' in v && 'landmark' in v)
    return { profile: toBase64(encodeProfile(v as Profile)) };
  return { value: v };
}

export function fromWire(w: Wire): unknown {
  if ('undefined' in w) return undefined;
  if ('profile' in w) return decodeProfile(fromBase64(w.profile));
  return w.value;
}

/**
 * Cleaning and capping strings that come from events, so a hostile event can
 * neither bloat the profile nor break the JSON round trip.
 * @module
 */
import { fnv1a32 } from './hash.js';
import { TEXT_LIMITS } from './limits.js';

/** Bytes a code point takes inside a JSON string literal (UTF-8, after escaping). */
function jsonBytes(cp: number): number {
  if (cp === 0x22 || cp === 0x5c) return 2; // " and \ are escaped
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/** Control characters (escaped to six bytes) and lone surrogates (which UTF-8 cannot carry) are dropped. */
function dropped(cp: number): boolean {
  return cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff);
}

/** The size of `s` as a JSON string body, in bytes. */
export function textBytes(s: string): number {
  let n = 0;
  for (const ch of s) n += jsonBytes(ch.codePointAt(0)!);
  return n;
}

/** `s` without dropped characters, cut at a code point boundary to at most `maxBytes`. */
export function clampText(s: string, maxBytes: number): string {
  if (s.length <= maxBytes && isPlainAscii(s)) return s === '__proto__' ? '' : s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (dropped(cp)) continue;
    const b = jsonBytes(cp);
    if (n + b > maxBytes) break;
    out += ch;
    n += b;
  }
  return out === '__proto__' ? '' : out;
}

/** Printable ASCII without `"` and `\\`: one byte per character in JSON, nothing dropped (the common case). */
function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** True when `s` is already clean and within `maxBytes` (what the decoder accepts). */
export function isCleanText(s: string, maxBytes: number): boolean {
  return clampText(s, maxBytes) === s;
}

/**
 * A node id that fits TEXT_LIMITS.node. A longer id keeps a short prefix and a
 * hash of the whole id, so two long ids sharing a prefix stay distinct nodes.
 */
export function clampNode(node: string): string {
  const clean = clampText(node, 256);
  if (textBytes(clean) <= TEXT_LIMITS.node) return clean;
  return `${clampText(clean, TEXT_LIMITS.node - 9)}~${fnv1a32(node)}`;
}

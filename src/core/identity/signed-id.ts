/**
 * The first-party anonymous id in an HMAC-signed cookie: `<id>.<sig>`.
 * A tampered, foreign or malformed value verifies to undefined and the caller
 * mints a new id. Verified values are memoised: the HMAC is the costly part
 * and the same cookie arrives on every request of a visit. The memo belongs
 * to one key ring: a value another ring verified proves nothing to this one
 * (two engines with different keys can share a process).
 * @module
 */

import { seededRandom } from '../../stats/random.js';
import { TesseraError } from '../errors.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import type { KeyRing } from './keys.js';

const enc = new TextEncoder();
const ID_RE = /^[A-Za-z0-9_-]{22}$/;
const SIG_LEN = 22; // 16 bytes of HMAC-SHA256, base64url

/** Where new anonymous ids come from. */
export type VisitorIdSource = () => string;

/** A fresh random anonymous id: 128 bits, base64url. What production mints. */
export function newVisitorId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return toBase64Url(b);
}

/**
 * Ids drawn from a seed, shaped like random ones: the n-th id minted is the
 * same in every run. For the simulator, whose visitors are bucketed into
 * arms by their id, so a seeded run is reproducible. Never for real traffic:
 * these ids are predictable (the signature still protects the cookie, but
 * an id is meant to be unguessable).
 */
export function seededVisitorIds(seed: number): VisitorIdSource {
  const rnd = seededRandom(seed);
  return () => {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = Math.floor(rnd.next() * 256);
    return toBase64Url(b);
  };
}

/**
 * A host's id source, checked on every id it gives: an id of another shape
 * (not 22 base64url characters) would be signed into a cookie that never
 * verifies, so every request would silently mint a new visitor. It fails the
 * request instead, with what was expected.
 */
export function checkedVisitorIds(source: VisitorIdSource): VisitorIdSource {
  return () => {
    const id: unknown = source();
    if (typeof id === 'string' && ID_RE.test(id)) return id;
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 40)) : typeof id;
    throw new TesseraError(
      500,
      `[tessera] [config] visitorIds returned ${shown}: an anonymous id must be 22 base64url characters ` +
        '(A-Z a-z 0-9 - _; 16 random bytes, as newVisitorId() makes), else its signed cookie never verifies ' +
        'and every request mints a new visitor',
    );
  };
}

async function signature(ring: KeyRing, id: string): Promise<string> {
  const mac = await ring.mac('id-signature', enc.encode(`tsr-id:${id}`));
  return toBase64Url(mac.subarray(0, 16));
}

export async function signId(ring: KeyRing, id: string): Promise<string> {
  return `${id}.${await signature(ring, id)}`;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Cookie value → id, per key ring (weak: a ring that is dropped takes its memo with it). */
const verifiedByRing = new WeakMap<KeyRing, Map<string, string>>();
const VERIFIED_MAX = 10_000;

function verifiedOf(ring: KeyRing): Map<string, string> {
  let memo = verifiedByRing.get(ring);
  if (!memo) {
    memo = new Map();
    verifiedByRing.set(ring, memo);
  }
  return memo;
}

/** The id inside a signed cookie value, or undefined if it is not ours. */
export async function verifySignedId(ring: KeyRing, value: string | undefined): Promise<string | undefined> {
  return verifySignedIdNow(ring, value);
}

/**
 * `verifySignedId`, answered without a promise when no HMAC is needed (a
 * malformed value, or one verified before): what the `/collect` guard uses,
 * so a throttled request is refused in the tick it arrived.
 */
export function verifySignedIdNow(
  ring: KeyRing,
  value: string | undefined,
): string | undefined | Promise<string | undefined> {
  if (!value || value.length !== 22 + 1 + SIG_LEN) return undefined;
  const verified = verifiedOf(ring);
  const hit = verified.get(value);
  if (hit) return hit;
  const id = value.slice(0, 22);
  const sig = value.slice(23);
  if (value[22] !== '.' || !ID_RE.test(id) || !fromBase64Url(sig)) return undefined;
  return signature(ring, id).then((expected) => {
    if (!constantTimeEqual(sig, expected)) return undefined;
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(value, id);
    return id;
  });
}

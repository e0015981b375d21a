/**
 * How the Cloudflare drivers (KV, Durable Object) turn a profile into bytes
 * and back. Asynchronous, unlike the core `ProfileCodec`, because WebCrypto
 * is: the Workers runtime has no synchronous AES. Nothing here runs inside a
 * synchronous transaction, so the `await` costs nothing.
 * @module
 */
import { decodeProfile, encodeProfile } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';

export interface AsyncProfileCodec {
  encode(p: Profile): Promise<Uint8Array>;
  /** Rejects with a `TesseraError` on bytes that are not a profile (or fail authentication). */
  decode(bytes: Uint8Array): Promise<Profile>;
  /** True when `bytes` should be rewritten to be current (older key, or plain under encryption). */
  stale?(bytes: Uint8Array): boolean;
}

export const plainAsyncProfileCodec: AsyncProfileCodec = {
  encode: async (p) => encodeProfile(p),
  decode: async (b) => decodeProfile(b),
};

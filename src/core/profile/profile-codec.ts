/**
 * How a store turns a profile into bytes and back. The plain codec is the
 * compact JSON of `codec.ts`; a runtime may inject an encrypting one (the Node
 * runtime's AES-GCM codec) so profiles are never at rest in the clear.
 * Synchronous on purpose: SQLite merges run inside a synchronous transaction,
 * where no `await` can happen.
 * @module
 */
import type { Profile } from '../types.js';
import { decodeProfile, encodeProfile } from './codec.js';

export interface ProfileCodec {
  encode(p: Profile): Uint8Array;
  /** Throws a `TesseraError` on bytes that are not a profile (or fail authentication). */
  decode(bytes: Uint8Array): Profile;
  /**
   * True when `bytes` should be rewritten to be current (an older key, or
   * plain bytes under an encrypting codec). Absent: never.
   */
  stale?(bytes: Uint8Array): boolean;
}

export const plainProfileCodec: ProfileCodec = {
  encode: encodeProfile,
  decode: decodeProfile,
};

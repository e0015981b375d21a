/**
 * Random 12-byte AES-GCM IVs cut from one CSPRNG fill of 3 KB: one
 * `getRandomValues` call per 256 seals instead of one each (the cookie seals
 * and the at-rest profile codec both take theirs here). Every IV is handed
 * out once; the view is only valid until the next call, so callers copy it
 * (or finish with it) before anything awaits.
 * @module
 */
export const IV_BYTES = 12;

const ivPool = new Uint8Array(IV_BYTES * 256);
let ivNext = ivPool.length;

export function freshIv(): Uint8Array {
  if (ivNext === ivPool.length) {
    crypto.getRandomValues(ivPool);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}

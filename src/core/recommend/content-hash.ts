/**
 * The artifact's version: SHA-256 of the whole file with the version and
 * createdAt fields zeroed, hex, first 16 characters. Equal content gives an
 * equal version however often it is retrained.
 * @module
 */
import { HEADER, VERSION_CHARS } from './artifact-format.js';

/** Hash of `buf` as it is; the caller zeroes the version and createdAt fields first. */
export async function hashBytes(buf: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  let hex = '';
  for (let i = 0; i < VERSION_CHARS / 2; i++) hex += digest[i]!.toString(16).padStart(2, '0');
  return hex;
}

/** Recomputes the content hash of a finished artifact (the input is not changed). */
export async function contentVersion(buf: ArrayBuffer): Promise<string> {
  const copy = buf.slice(0);
  new Uint8Array(copy, HEADER.createdAt, 8 + VERSION_CHARS).fill(0);
  return hashBytes(copy);
}

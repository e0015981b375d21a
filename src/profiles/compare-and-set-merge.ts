/**
 * The merge loop of the profile stores that keep a version token beside the
 * profile bytes (Redis over TCP and over REST): read the stored bytes and
 * their version, merge the delta with the CRDT `mergeProfiles`, write only if
 * the version is still the one read, and on a conflict merge again onto what
 * the other writer left, up to a bounded number of attempts. The drivers give
 * the few primitive operations; how they talk to the server, encode bytes and
 * word their errors stays theirs. Web-standard only: the edge bundles use it.
 * @module
 */
import { mergeProfiles } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';

/** What the store holds: its version token (`''` when absent) and its bytes, undefined when absent. */
export interface StoredVersion<Bytes> {
  version: string;
  bytes: Bytes | undefined;
}

/** A write that lost the race answers what is there now, so the retry needs no second read. */
export type ConditionalWriteResult<Bytes> = { written: true } | ({ written: false } & StoredVersion<Bytes>);

export interface CompareAndSetMergeOps<Bytes> {
  read(): Promise<StoredVersion<Bytes>>;
  decode(bytes: Bytes): Profile | Promise<Profile>;
  /** Writes `merged` if the stored version is still `version`. */
  writeIfVersion(version: string, merged: Profile): Promise<ConditionalWriteResult<Bytes>>;
  /** Writes tried before giving up (a value below 1 tries none). */
  maxAttempts: number;
  /** The error thrown after `attempts` conflicting writes. */
  giveUp(attempts: number): Error;
  /** Waits before attempt `attempt + 1` after `attempt` conflicts (default: no wait). */
  backoff?(attempt: number): Promise<void>;
}

/** Merges `delta` into the stored profile; resolves to the profile written. */
export async function compareAndSetMerge<Bytes>(
  delta: Profile,
  ops: CompareAndSetMergeOps<Bytes>,
): Promise<Profile> {
  let stored = await ops.read();
  for (let attempt = 1; attempt <= ops.maxAttempts; attempt++) {
    const merged = stored.bytes === undefined ? delta : mergeProfiles(await ops.decode(stored.bytes), delta);
    const result = await ops.writeIfVersion(stored.version, merged);
    if (result.written) return merged;
    stored = result;
    if (attempt < ops.maxAttempts) await ops.backoff?.(attempt);
  }
  throw ops.giveUp(ops.maxAttempts);
}

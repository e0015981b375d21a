/**
 * What `/collect` tells the observer about a batch: how many events were
 * accepted, rejected (by the field at fault) and dropped before the profile
 * (the browser's full queue, no consent to keep them), and what the profile
 * path made of the rest (deduplicated, over the daily quota), plus first
 * conversions per experiment arm. Clicks are counted by the log (observed-log.ts).
 * @module
 */
import type { ParsedBatch } from '../events.js';
import type { ConversionHit } from '../experiments/index.js';
import { type EngineObserver, rejectionReason } from '../observer.js';

/** Counts from the parsed batch alone. */
export function countBatch(o: EngineObserver, batch: ParsedBatch): void {
  if (batch.accepted > 0) o.ingest('accepted', batch.accepted);
  for (const r of batch.rejected) o.ingest('rejected', 1, rejectionReason(r.error));
  if (batch.dropped > 0) o.ingest('dropped', batch.dropped, 'browser_queue');
  // Repeats of an id inside one batch are accepted and change nothing.
  const repeats = batch.accepted - batch.events.length;
  if (repeats > 0) o.ingest('deduplicated', repeats);
}

/**
 * Counts once the profile path took the events (`applied` of `offered`,
 * `dropped` of them past the daily quota); `r` undefined: no visitor id
 * (no consent), so nothing was kept.
 */
export function countIngested(
  o: EngineObserver,
  offered: number,
  r: { applied: number; dropped: number } | undefined,
  hits: readonly ConversionHit[],
): void {
  if (!r) {
    if (offered > 0) o.ingest('dropped', offered, 'no_consent');
    return;
  }
  if (offered > r.applied) o.ingest('deduplicated', offered - r.applied);
  if (r.dropped > 0) o.ingest('dropped', r.dropped, 'quota');
  for (const h of hits) if (h.first && h.kind === 'purchase') o.conversion(h.experiment, h.arm);
}

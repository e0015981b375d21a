/**
 * The flush policy: which events go out promptly and when the rest follow.
 * @module
 */
import type { EventType } from '../core/types.js';

/** Most events in one request (the server accepts more; small batches fit keepalive limits). */
export const BATCH_MAX = 20;
/** Debounce for high-value events: soon enough to set cookies before a navigation. */
export const URGENT_DELAY_MS = 50;
/** Low-value events wait at most this long. */
export const IDLE_FLUSH_MS = 5000;

/**
 * Events that change the next page's decision (or record a choice) must
 * reach the server before the visitor navigates on; only these measurement
 * and browsing signals wait for the idle flush. Listed this way round because
 * the list is shorter (the collector's byte budget).
 */
const PATIENT_TYPES: readonly string[] = ['view', 'search', 'scroll', 'form', 'dwell'];

export function isUrgent(type: EventType): boolean {
  return !PATIENT_TYPES.includes(type);
}

/**
 * Milliseconds until the queue should be flushed: at once when a batch is
 * full, after the short debounce when something urgent waits, else the idle
 * interval. Undefined when there is nothing to send.
 */
export function flushDelay(queued: number, urgent: boolean): number | undefined {
  if (queued === 0) return undefined;
  if (queued >= BATCH_MAX) return 0;
  return urgent ? URGENT_DELAY_MS : IDLE_FLUSH_MS;
}

/**
 * Most unacknowledged events kept (five batches). Past it the oldest go (and
 * are counted), so a visitor offline for long keeps the recent signals, which
 * shape the next page.
 */
export const QUEUE_MAX = 100;

/** Split a queue into request-sized batches, in order. */
export function chunk<T>(items: readonly T[], size: number = BATCH_MAX): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Getting batches to `/collect`. Flushes use `fetch` with keepalive (and the
 * default same-origin credentials), so the server's Set-Cookie (visitor id,
 * consent) is honoured and its answer decides what happens to the batch;
 * flushes on page hide use `sendBeacon`, which survives unload but answers
 * nothing.
 * @module
 */
import type { Batch } from './collector.js';

/**
 * A sender for `CollectorDeps.send`: resolves to the server's response, or
 * undefined for a network error or a beacon. Never rejects.
 */
export function createSender(
  endpoint: string,
): (batch: Batch, beacon: boolean) => Promise<Response | undefined> {
  return async (batch, beacon) => {
    // A typed Blob: fetch takes its Content-Type from it, as sendBeacon does (one body for both).
    const body = new Blob([JSON.stringify(batch)], { type: 'application/json' });
    // Over the beacon quota (64 KB in flight), sendBeacon says no: a keepalive fetch takes over.
    if (beacon && navigator.sendBeacon(endpoint, body)) return;
    return fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(() => undefined);
  };
}

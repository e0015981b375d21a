/**
 * Getting batches to `/collect`. Prompt flushes use `fetch` with keepalive and
 * same-origin credentials, so the server's Set-Cookie (visitor id, consent)
 * is honoured; flushes on page hide use `sendBeacon`, which survives unload.
 * @module
 */
import type { TesseraEvent } from '../core/types.js';

/** A sender for `CollectorDeps.send`; never rejects (a lost batch must not break the page). */
export function createSender(endpoint: string): (events: TesseraEvent[], beacon: boolean) => Promise<void> {
  return (events, beacon) => {
    const body = JSON.stringify({ events });
    try {
      if (beacon && navigator.sendBeacon(endpoint, new Blob([body], { type: 'application/json' }))) {
        return Promise.resolve();
      }
    } catch {
      // sendBeacon refused (size, or an old browser's content-type rule): fall through to fetch.
    }
    try {
      return fetch(endpoint, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        keepalive: true,
      }).then(
        () => undefined,
        () => undefined,
      );
    } catch {
      return Promise.resolve();
    }
  };
}

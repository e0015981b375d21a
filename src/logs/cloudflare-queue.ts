/**
 * An EventLog that forwards events to a Cloudflare Queue (or drops them when
 * no queue is bound). A queue is a pipe, not a log: it cannot be read back,
 * counted or edited, so
 *
 * - dedupe by (visitor, event id) here is best effort, over a bounded window
 *   of ids this isolate has seen; the consumer must dedupe by (visitor, id)
 *   before storing (a queue also delivers at least once);
 * - `deleteVisitor` sends an `erase` message, and the consumer deletes that
 *   visitor's stored events;
 * - `read` answers nothing and `count` is what this isolate has sent.
 *
 * Message bodies: `{ kind: 'events', events: LoggedEvent[] }` or
 * `{ kind: 'erase', visitor }`.
 * @module
 */

import type { QueueLike } from '../connections/cloudflare-bindings.js';
import { LruCache } from '../core/cache/index.js';
import { TesseraError } from '../core/errors.js';
import type { EventLog } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';

export type QueueMessage = { kind: 'events'; events: LoggedEvent[] } | { kind: 'erase'; visitor: string };

export interface QueueEventLogOptions {
  queue?: QueueLike<QueueMessage> | undefined;
  /** How many (visitor, id) pairs the isolate remembers for dedupe (default 20,000). */
  dedupeWindow?: number;
}

/** Queues take at most 100 messages per batch and 128 KB per message; 50 events stay well inside. */
const EVENTS_PER_MESSAGE = 50;

export function createQueueEventLog(o: QueueEventLogOptions = {}): EventLog {
  const seen = new LruCache<string, true>({ maxEntries: o.dedupeWindow ?? 20_000 });
  let sent = 0;
  const send = async (messages: QueueMessage[]) => {
    if (!o.queue || messages.length === 0) return;
    try {
      await o.queue.sendBatch(messages.map((body) => ({ body })));
    } catch (e) {
      throw new TesseraError(500, '[tessera] [queue] send failed', { cause: e });
    }
  };
  return {
    name: o.queue ? 'queue' : 'none',
    async append(events) {
      const fresh: LoggedEvent[] = [];
      for (const e of events) {
        const k = `${e.visitor}\u0000${e.id}`;
        if (seen.get(k)) continue;
        seen.set(k, true);
        fresh.push(e);
      }
      const messages: QueueMessage[] = [];
      for (let i = 0; i < fresh.length; i += EVENTS_PER_MESSAGE) {
        messages.push({ kind: 'events', events: fresh.slice(i, i + EVENTS_PER_MESSAGE) });
      }
      await send(messages);
      sent += fresh.length;
      return fresh;
    },
    async read(after) {
      return { events: [], cursor: after };
    },
    async deleteVisitor(visitor) {
      await send([{ kind: 'erase', visitor }]);
      return 0;
    },
    async count() {
      return sent;
    },
    async close() {},
  };
}

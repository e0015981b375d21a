/**
 * The consumer of the event Queue (`queue(batch, env, ctx)` of the module
 * Worker): applies each message's events to the visitor's stored profile
 * (KV or the Durable Object) through the engine's own ingest path, the one
 * `/collect` uses, so minimisation, erasure tombstones and the CRDT merge
 * are the same.
 *
 * A queue delivers at least once: a batch comes again after a retry, a
 * timeout or a crash between apply and ack. Dedupe by (visitor, event id) is
 * durable, in KV: `seen:<visitor>:<id>` keys with a TTL (7 days by default,
 * longer than any redelivery), written only once the profile has the events,
 * so a failed apply leaves nothing marked and its retry applies them. KV
 * rather than the Durable Object because it works with either profile store,
 * needs no object per event batch, and a key per event expires by itself; a
 * key written in another location may take a while to be visible, and the
 * profile's own `seen` window (the last ids it applied) covers that gap and
 * a crash between the profile write and the marks.
 *
 * A message whose apply fails is retried (`msg.retry()`); one that succeeds
 * is acked. `erase` messages drop the visitor's dedupe keys (the profile was
 * erased and tombstoned by the request that sent them).
 * @module
 */

import type { KVNamespaceLike } from '../../connections/cloudflare-bindings.js';
import type { Engine } from '../../core/engine.js';
import type { EventLog } from '../../core/ports.js';
import type { LoggedEvent, TesseraEvent } from '../../core/types.js';
import type { QueueMessage } from '../../logs/cloudflare-queue.js';

/** One delivered message, as the Workers runtime hands it to `queue()`. */
export interface QueueDelivery<T> {
  readonly id: string;
  readonly body: T;
  readonly attempts?: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export interface QueueBatchLike<T> {
  readonly queue: string;
  readonly messages: readonly QueueDelivery<T>[];
}

export interface QueueConsumerOptions {
  /** The engine whose ingest applies events; its event log must not send to the queue again (`appliedEventsLog`). */
  engine: () => Promise<Engine>;
  /** Where (visitor, id) marks live; without it, only the profile's own `seen` window dedupes. */
  kv?: KVNamespaceLike | undefined;
  /** How long a mark is kept (s, default 7 days; KV's minimum is 60). */
  seenTtlSeconds?: number;
  /** Resolves once the store has every profile write (KV's coalesced ones); awaited before marking and acking. */
  settle?: (() => Promise<void>) | undefined;
  /** Where a failed message is reported (it is retried). */
  onError?: (message: string, detail: Record<string, unknown>) => void;
}

const SEEN_TTL_SECONDS = 7 * 24 * 3600;

const seenKey = (visitor: string, id: string) => `seen:${visitor}:${id}`;

/**
 * The event log of the consumer's engine: events came from the queue, so
 * they are not sent anywhere again; dedupe is the consumer's (KV marks).
 */
export function appliedEventsLog(): EventLog {
  return {
    name: 'queue-consumer',
    append: async (events) => events,
    read: async (after) => ({ events: [], cursor: after }),
    deleteVisitor: async () => 0,
    count: async () => 0,
    close: async () => {},
  };
}

export function createQueueConsumer(o: QueueConsumerOptions) {
  const ttl = Math.max(60, o.seenTtlSeconds ?? SEEN_TTL_SECONDS);
  const report = o.onError ?? ((m, d) => console.error(m, d));

  async function unseen(visitor: string, events: LoggedEvent[]): Promise<LoggedEvent[]> {
    if (!o.kv) return events;
    const kv = o.kv;
    const marks = await Promise.all(events.map((e) => kv.get(seenKey(visitor, e.id), 'text')));
    return events.filter((_, i) => marks[i] === null);
  }

  async function apply(events: LoggedEvent[]): Promise<void> {
    const byVisitor = new Map<string, LoggedEvent[]>();
    for (const e of events) {
      const list = byVisitor.get(e.visitor) ?? [];
      // One message may repeat an event; the first copy counts.
      if (!list.some((x) => x.id === e.id)) list.push(e);
      byVisitor.set(e.visitor, list);
    }
    const engine = await o.engine();
    for (const [visitor, all] of byVisitor) {
      const fresh = await unseen(visitor, all);
      if (fresh.length === 0) continue;
      await engine.ingest(visitor, fresh.map(asEvent));
      await o.settle?.();
      // Marked only now: a failure above leaves them unmarked, and the retry applies them.
      if (o.kv) {
        const kv = o.kv;
        await Promise.all(fresh.map((e) => kv.put(seenKey(visitor, e.id), '1', { expirationTtl: ttl })));
      }
    }
  }

  async function erase(visitor: string): Promise<void> {
    if (!o.kv) return;
    let cursor: string | undefined;
    do {
      const page = await o.kv.list({ prefix: seenKey(visitor, ''), ...(cursor ? { cursor } : {}) });
      await Promise.all(page.keys.map((k) => o.kv!.delete(k.name)));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }

  return async function queue(batch: QueueBatchLike<QueueMessage>): Promise<void> {
    // Messages one by one: each is acked or retried on its own, and a visitor's events stay in order.
    for (const msg of batch.messages) {
      try {
        const body = msg.body;
        if (body.kind === 'events') await apply(body.events);
        else if (body.kind === 'erase') await erase(body.visitor);
        msg.ack();
      } catch (e) {
        report('[tessera] [queue] message not applied; retrying', {
          message: msg.id,
          attempts: msg.attempts,
          error: String(e),
        });
        msg.retry();
      }
    }
  };
}

/** The event as the browser sent it (minimised): what `ingest` takes. */
function asEvent(e: LoggedEvent): TesseraEvent {
  const { visitor: _v, node: _n, received: _r, ...event } = e;
  return event;
}

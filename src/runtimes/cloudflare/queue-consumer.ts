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
 * The consumer is the only writer of visitors' profiles (the request path
 * only overlays its own events, consumer-owned-store.ts), so a batch's events
 * are grouped by visitor and applied with one ingest, one profile write, per
 * visitor: KV takes about one write per second per key, and the consumer's
 * store writes at once (no coalescing timer to wait for).
 *
 * A message is acked once every visitor it carries is applied; a message with
 * a visitor whose apply failed is retried (`msg.retry()`), and its other
 * visitors' events are then skipped by their marks. `erase` messages drop
 * the visitor's dedupe keys (the profile was erased and tombstoned by the
 * request that sent them).
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

  /** Apply one visitor's events (deduped by id, then by their marks); marks them once stored. */
  async function applyVisitor(engine: Engine, visitor: string, all: LoggedEvent[]): Promise<void> {
    const fresh = await unseen(visitor, all);
    if (fresh.length === 0) return;
    await engine.ingest(visitor, fresh.map(asEvent));
    await o.settle?.();
    // Marked only now: a failure above leaves them unmarked, and the retry applies them.
    if (o.kv) {
      const kv = o.kv;
      await Promise.all(fresh.map((e) => kv.put(seenKey(visitor, e.id), '1', { expirationTtl: ttl })));
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
    // Each visitor's events of the whole batch, in order, and the messages that carry them.
    const byVisitor = new Map<
      string,
      { events: LoggedEvent[]; ids: Set<string>; from: Set<QueueDelivery<QueueMessage>> }
    >();
    for (const msg of batch.messages) {
      if (msg.body.kind !== 'events') continue;
      for (const e of msg.body.events) {
        const v = byVisitor.get(e.visitor) ?? { events: [], ids: new Set<string>(), from: new Set() };
        byVisitor.set(e.visitor, v);
        v.from.add(msg);
        // A batch may repeat an event (a redelivery beside the original); the first copy counts.
        if (!v.ids.has(e.id)) v.events.push(e);
        v.ids.add(e.id);
      }
    }
    const failed = new Set<QueueDelivery<QueueMessage>>();
    const fail = (msg: QueueDelivery<QueueMessage>, e: unknown) => {
      if (failed.has(msg)) return;
      failed.add(msg);
      report('[tessera] [queue] message not applied; retrying', {
        message: msg.id,
        attempts: msg.attempts,
        error: String(e),
      });
    };
    if (byVisitor.size > 0) {
      let engine: Engine | undefined;
      try {
        engine = await o.engine();
      } catch (e) {
        for (const v of byVisitor.values()) for (const msg of v.from) fail(msg, e);
      }
      if (engine) {
        for (const [visitor, v] of byVisitor) {
          try {
            await applyVisitor(engine, visitor, v.events);
          } catch (e) {
            for (const msg of v.from) fail(msg, e);
          }
        }
      }
    }
    for (const msg of batch.messages) {
      if (msg.body.kind === 'erase' && !failed.has(msg)) {
        try {
          await erase(msg.body.visitor);
        } catch (e) {
          fail(msg, e);
        }
      }
      if (failed.has(msg)) msg.retry();
      else msg.ack();
    }
  };
}

/** The event as the browser sent it (minimised): what `ingest` takes. */
function asEvent(e: LoggedEvent): TesseraEvent {
  const { visitor: _v, node: _n, received: _r, ...event } = e;
  return event;
}

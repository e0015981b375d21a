/**
 * The in-process bus: for tests and for a single node. Several buses made on
 * one hub behave like several nodes on one network: a message published on
 * any of them reaches every subscriber on all of them (the publisher's own
 * included, as with Redis and NATS; envelopes carry the node id to skip those).
 *
 * Delivery is asynchronous (a macrotask later) and the bytes are copied, so a
 * subscriber never runs inside `publish` and never shares a buffer with it.
 * @module
 */
import type { Bus } from '../core/ports.js';
import { busError, checkTopic, deliver } from './topic.js';

type Handler = (payload: Uint8Array) => void;

/** The shared medium of memory buses: topic → handlers of every bus on it. */
export interface MemoryHub {
  readonly topics: Map<string, Set<Handler>>;
}

export function createMemoryHub(): MemoryHub {
  return { topics: new Map() };
}

export interface MemoryBusOptions {
  /** Buses on the same hub see each other's messages (default: a hub of its own). */
  hub?: MemoryHub;
  /** Called when a subscriber throws (default: ignored). */
  onHandlerError?: (e: unknown) => void;
}

export function createMemoryBus(opts: MemoryBusOptions = {}): Bus {
  const hub = opts.hub ?? createMemoryHub();
  const mine = new Set<() => void>();
  let closed = false;

  return {
    name: 'memory',
    async publish(topic, payload) {
      if (closed) throw busError('memory', `publish to ${JSON.stringify(topic)}: the bus is closed`);
      checkTopic('memory', topic);
      const handlers = [...(hub.topics.get(topic) ?? [])];
      const copy = payload.slice();
      setTimeout(() => {
        for (const handler of handlers) {
          // Unsubscribed since the publish: a network bus would not deliver either.
          if (hub.topics.get(topic)?.has(handler)) deliver(handler, copy.slice(), opts.onHandlerError);
        }
      }, 0);
    },
    async subscribe(topic, handler) {
      if (closed) throw busError('memory', `subscribe to ${JSON.stringify(topic)}: the bus is closed`);
      checkTopic('memory', topic);
      // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
      const entry: Handler = (payload) => handler(payload);
      const set = hub.topics.get(topic) ?? new Set<Handler>();
      hub.topics.set(topic, set);
      set.add(entry);
      const unsubscribe = () => {
        set.delete(entry);
        if (set.size === 0 && hub.topics.get(topic) === set) hub.topics.delete(topic);
        mine.delete(unsubscribe);
      };
      mine.add(unsubscribe);
      return unsubscribe;
    },
    async close() {
      closed = true;
      for (const unsubscribe of [...mine]) unsubscribe();
    },
  };
}

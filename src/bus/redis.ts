/**
 * The bus on Redis pub/sub. Publishing uses one connection; subscribing needs
 * a connection of its own (a subscribed Redis connection accepts nothing but
 * (UN)SUBSCRIBE), opened beside it.
 *
 * Channels are `<prefix><topic>`. Delivery is at-most-once: a message
 * published while a subscriber is disconnected never reaches it. ioredis
 * reconnects and resubscribes by itself; the node must re-sync what it may
 * have missed (deltas are CRDT state, so re-sending is always safe).
 * While either connection is down, publish and subscribe reject at once with
 * a `DependencyDownError` (see `connections/redis.ts`).
 * @module
 */

import { combinedState } from '../connections/combined-status.js';
import { openRedis, type RedisConnectionOptions } from '../connections/redis.js';
import type { ConnectionState } from '../connections/status.js';
import type { Bus } from '../core/ports.js';
import { busError, checkTopic, deliver } from './topic.js';

export interface RedisBusOptions extends RedisConnectionOptions {
  /** Prefix of every channel, one per deployment (default `tessera:bus:`). */
  prefix?: string;
  /** Called when a subscriber throws (default: ignored). */
  onHandlerError?: (e: unknown) => void;
}

export type RedisBus = Bus & ConnectionState;

type Handler = (payload: Uint8Array) => void;

export async function createRedisBus(opts: RedisBusOptions = {}): Promise<RedisBus> {
  const prefix = opts.prefix ?? 'tessera:bus:';
  const pub = await openRedis(opts);
  const sub = await pub.duplicate();
  const state = combinedState([pub, sub]);
  const handlers = new Map<string, Set<Handler>>();
  let closed = false;

  const onMessage = (channel: Buffer, message: Buffer) => {
    const set = handlers.get(channel.toString());
    if (!set) return;
    for (const handler of [...set]) deliver(handler, new Uint8Array(message), opts.onHandlerError);
  };
  sub.client.on('messageBuffer', onMessage);

  const closedError = (op: string, topic: string) =>
    busError('redis', `${op} ${JSON.stringify(topic)}: the bus is closed`);

  return {
    name: 'redis',
    ...state,
    async publish(topic, payload) {
      if (closed) throw closedError('publish to', topic);
      checkTopic('redis', topic);
      await pub.run('publish', (c) => c.call('PUBLISH', prefix + topic, ...pub.wire([payload])));
    },
    async subscribe(topic, handler) {
      if (closed) throw closedError('subscribe to', topic);
      checkTopic('redis', topic);
      const channel = prefix + topic;
      const entry: Handler = (payload) => handler(payload);
      let set = handlers.get(channel);
      if (!set) {
        // Resolves once Redis confirmed: from then on, every publish reaches us.
        await sub.run('subscribe', (c) => c.call('SUBSCRIBE', channel));
        set = handlers.get(channel) ?? new Set();
        handlers.set(channel, set);
      }
      set.add(entry);
      const current = set;
      return () => {
        current.delete(entry);
        if (current.size > 0 || handlers.get(channel) !== current) return;
        handlers.delete(channel);
        // Best effort: a failure leaves a channel nobody listens to (its messages are dropped
        // above). Commands go out in call order, so a later SUBSCRIBE still lands after this.
        if (!closed)
          void sub.run('unsubscribe', (c) => c.call('UNSUBSCRIBE', channel)).catch(() => undefined);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      sub.client.off('messageBuffer', onMessage);
      handlers.clear();
      await sub.close();
      await pub.close();
    },
  };
}

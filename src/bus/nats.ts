/**
 * The bus on NATS core subjects: `<prefix>.<topic>`, fire-and-forget,
 * at-most-once (a node that is disconnected misses what is published
 * meanwhile; the node re-syncs after it reconnects, and CRDT deltas may be
 * sent again safely). `subscribe` resolves once the server has registered the
 * interest, so everything published after it is delivered.
 * Reconnects and fail-fast: see `connections/nats.ts`.
 * @module
 */
import type { Subscription } from '@nats-io/transport-node';
import { type NatsConnectionOptions, openNats } from '../connections/nats.js';
import type { ConnectionState } from '../connections/status.js';
import type { Bus } from '../core/ports.js';
import { busError, checkTopic, deliver } from './topic.js';

export interface NatsBusOptions extends NatsConnectionOptions {
  /** First subject token(s), one per deployment (default `tessera.bus`). */
  prefix?: string;
  /** Called when a subscriber throws (default: ignored). */
  onHandlerError?: (e: unknown) => void;
}

export type NatsBus = Bus & ConnectionState;

export async function createNatsBus(opts: NatsBusOptions = {}): Promise<NatsBus> {
  const prefix = opts.prefix ?? 'tessera.bus';
  checkTopic('nats', prefix);
  const handle = openNats(opts);
  await handle.settled();
  const subs = new Set<Subscription>();
  let closed = false;

  const translate = (op: string, e: unknown) => handle.failure(op, e);

  return {
    name: 'nats',
    status: () => handle.status(),
    onStatus: (listener) => handle.onStatus(listener),
    async publish(topic, payload) {
      if (closed) throw busError('nats', `publish to ${JSON.stringify(topic)}: the bus is closed`);
      checkTopic('nats', topic);
      const nc = await handle.get('publish');
      try {
        nc.publish(`${prefix}.${topic}`, payload);
      } catch (e) {
        throw translate('publish', e);
      }
    },
    async subscribe(topic, handler) {
      if (closed) throw busError('nats', `subscribe to ${JSON.stringify(topic)}: the bus is closed`);
      checkTopic('nats', topic);
      const nc = await handle.get('subscribe');
      let sub: Subscription;
      try {
        sub = nc.subscribe(`${prefix}.${topic}`, {
          callback: (err, msg) => {
            if (!err) deliver(handler, msg.data.slice(), opts.onHandlerError);
          },
        });
        // The SUB is on the server once a PING after it is answered.
        await nc.flush();
      } catch (e) {
        throw translate('subscribe', e);
      }
      subs.add(sub);
      return () => {
        subs.delete(sub);
        if (!sub.isClosed()) sub.unsubscribe();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sub of subs) if (!sub.isClosed()) sub.unsubscribe();
      subs.clear();
      await handle.close();
    },
  };
}

/**
 * The model lifecycle between nodes, over the cluster's bus:
 *
 * - topic `models.rollout` (envelope kind `rollout`): each node's rollout
 *   counts after each look, JSON; merged by max per replica, summed across
 *   (rollout/tallies.ts). A lost message costs nothing: the next report
 *   carries the whole count again.
 * - topic `models.events` (kind `events`): the events each node's log took,
 *   reduced to what live counts and the rollout read (type, item, visitor,
 *   time, the recommendation slot of a click). Without it a node would count
 *   only the events its own `/collect` took: the tap sits on `append`, and
 *   no node reads the shared log back.
 *
 * Runtime-agnostic: a `Bus` in, nothing else.
 * @module
 */
import { publishEnvelope, subscribeEnvelopes } from '../bus/envelopes.js';
import type { Bus } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';
import type { ModelLifecycle } from './lifecycle.js';
import { parseReport } from './rollout/tallies.js';

export const ROLLOUT_TOPIC = 'models.rollout';
export const EVENTS_TOPIC = 'models.events';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What another node needs of an event: no props but a click's slot. */
type ForwardedEvent = Pick<LoggedEvent, 'id' | 'type' | 'ts' | 'visitor' | 'item'> & { slot?: string };

function forwarded(e: LoggedEvent): ForwardedEvent | undefined {
  if (e.item === undefined && e.type !== 'purchase') return undefined;
  const slot = e.props?.slot;
  return {
    id: e.id,
    type: e.type,
    ts: e.ts,
    visitor: e.visitor,
    ...(e.item !== undefined ? { item: e.item } : {}),
    ...(typeof slot === 'string' ? { slot } : {}),
  };
}

function received(x: unknown, node: string): LoggedEvent | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const e = x as Record<string, unknown>;
  if (typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.visitor !== 'string')
    return undefined;
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return undefined;
  if (e.item !== undefined && typeof e.item !== 'string') return undefined;
  return {
    id: e.id,
    type: e.type as LoggedEvent['type'],
    ts: e.ts,
    visitor: e.visitor,
    node,
    received: e.ts,
    ...(typeof e.item === 'string' ? { item: e.item } : {}),
    ...(typeof e.slot === 'string' ? { props: { slot: e.slot } } : {}),
  };
}

export interface LifecycleBus {
  close(): void;
}

/** Subscribes the lifecycle to the other nodes' reports and events, and shares its own. */
export async function connectLifecycleBus(o: {
  bus: Bus;
  nodeId: string;
  lifecycle: ModelLifecycle;
  onError?: (what: string, e: unknown) => void;
}): Promise<LifecycleBus> {
  const { bus, nodeId, lifecycle } = o;
  const fail = (what: string) => (e: unknown) => o.onError?.(what, e);
  const json = (payload: Uint8Array): unknown => {
    try {
      return JSON.parse(decoder.decode(payload));
    } catch (e) {
      fail('a bad message')(e);
      return undefined;
    }
  };
  const offReports = await subscribeEnvelopes(
    bus,
    ROLLOUT_TOPIC,
    nodeId,
    (env) => {
      const report = env.kind === 'rollout' ? parseReport(json(env.payload)) : undefined;
      if (report) lifecycle.receive(report);
    },
    fail('a bad rollout message'),
  );
  const offEvents = await subscribeEnvelopes(
    bus,
    EVENTS_TOPIC,
    nodeId,
    (env) => {
      const list = env.kind === 'events' ? json(env.payload) : undefined;
      if (!Array.isArray(list)) return;
      const events: LoggedEvent[] = [];
      for (const x of list) {
        const e = received(x, env.node);
        if (e) events.push(e);
      }
      if (events.length > 0) lifecycle.events(events, true);
    },
    fail('a bad events message'),
  );
  const publish = (kind: 'rollout' | 'events', topic: string, body: unknown) =>
    publishEnvelope(bus, topic, { kind, node: nodeId, payload: encoder.encode(JSON.stringify(body)) }).catch(
      fail(`publishing ${topic}`),
    );
  lifecycle.share({
    report: (report) => void publish('rollout', ROLLOUT_TOPIC, report),
    events: (events) => {
      const out: ForwardedEvent[] = [];
      for (const e of events) {
        const f = forwarded(e);
        if (f) out.push(f);
      }
      if (out.length > 0) void publish('events', EVENTS_TOPIC, out);
    },
  });
  return {
    close() {
      lifecycle.share(undefined);
      offReports();
      offEvents();
    },
  };
}

/**
 * Envelopes over any bus: publish with this node's id, receive only what
 * other nodes sent. A message that does not decode is reported, never thrown
 * into the driver's delivery loop.
 * @module
 */
import type { Bus } from '../core/ports.js';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './codec.js';

export function publishEnvelope(bus: Bus, topic: string, envelope: Envelope): Promise<void> {
  return bus.publish(topic, encodeEnvelope(envelope));
}

/**
 * Subscribes `handler` to the envelopes on `topic` from nodes other than
 * `self` (a node's own publishes come back to it on Redis, NATS and memory).
 */
export function subscribeEnvelopes(
  bus: Bus,
  topic: string,
  self: string,
  handler: (envelope: Envelope) => void,
  onBadMessage: (error: unknown) => void = () => {},
): Promise<() => void> {
  return bus.subscribe(topic, (bytes) => {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (e) {
      onBadMessage(e);
      return;
    }
    if (envelope.node !== self) handler(envelope);
  });
}

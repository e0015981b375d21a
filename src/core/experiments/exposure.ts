/**
 * The exposure record. It rides the event log as an `identify` event that
 * sets the trait `exp.<key>` — the existing path for declared traits — so
 * one write both logs the exposure and makes the arm sticky in the profile
 * CRDT (a last-writer-wins register that merges across nodes and survives
 * identify). Its id is `exp:<key>`, and the log deduplicates on (visitor,
 * id): however many nodes and pages decide, the log holds one exposure per
 * visitor per experiment. No new public event type was added, so the
 * `/collect` schema and the browser collector stay as they are.
 * @module
 */
import type { TesseraEvent } from '../types.js';
import { armTrait } from './assign.js';

export function exposureEventId(key: string): string {
  return `exp:${key}`.slice(0, 64);
}

export function exposureEvent(key: string, arm: string, now: number): TesseraEvent {
  return {
    id: exposureEventId(key),
    type: 'identify',
    ts: now,
    props: { traits: { [armTrait(key)]: arm }, exposure: { experiment: key, arm } },
  };
}

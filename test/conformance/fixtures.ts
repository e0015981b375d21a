/**
 * Small builders shared by the conformance suites: profile deltas made the way
 * a node makes them (applyEvent on an empty profile), and logged events.
 * @module
 */
import { applyEvent, decodeProfile, emptyProfile, encodeProfile } from '../../src/core/profile/index.js';
import type { EventType, LoggedEvent, Profile } from '../../src/core/types.js';

export const T0 = 1_700_000_000_000;
export const HALF_LIFE_MS = 3 * 24 * 3600 * 1000;

/** A delta from `node`: one event about `item`, `offsetMs` after T0. */
export function delta(node: string, item: string, offsetMs = 0, type: EventType = 'view'): Profile {
  const at = T0 + offsetMs;
  return applyEvent(
    emptyProfile(T0),
    { id: `${node}/${item}/${offsetMs}`, type, ts: at, item, props: { category: `cat-${item}` } },
    { node, at: { p: at, l: 0, n: node }, halfLifeMs: HALF_LIFE_MS },
  );
}

/** Through the codec and back: the form a store hands out, for comparisons. */
export function canonical(p: Profile | undefined): Profile | undefined {
  return p === undefined ? undefined : decodeProfile(encodeProfile(p));
}

export const recentItems = (p: Profile | undefined): string[] => (p?.recent ?? []).map((r) => r.item).sort();

let received = T0;

export function logged(visitor: string, id: string, extra: Partial<LoggedEvent> = {}): LoggedEvent {
  received += 1;
  return { id, type: 'view', ts: T0, item: `sku-${id}`, visitor, node: 'node-1', received, ...extra };
}

/** Ids a driver must keep apart and hand back unchanged. */
export const ODD_IDS = [
  'ünïcødé-名前-🙂',
  `it's "quoted" \`back\``,
  'x'.repeat(200),
  'a:b/c?d=e&f#g%20h',
  '  spaced\ttab\nnewline  ',
  "'; DROP TABLE profiles; --",
];

/**
 * Shared by the profile tests: a canonical form to compare profiles by, a tiny
 * catalog, and fast-check generators with small pools of ids, items and nodes
 * so that collisions (same event, same key, same node) actually happen.
 * Not a test file itself.
 * @module
 */
import fc from 'fast-check';
import { EVENT_TYPES, type EventType, type Profile, type TesseraEvent } from '../types.js';
import { type ApplyOptions, applyEvent, type ItemAttributes } from './apply.js';
import { emptyProfile } from './empty.js';

/** JSON with object keys sorted at every level: equal profiles give equal strings. */
export function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;
/** A short half-life, so that generated time spans cross many landmark moves. */
export const HALF_LIFE = HOUR;
export const T0 = 1_700_000_000_000;

const CATALOG: Record<string, ItemAttributes> = {
  a: { category: 'shoes', brand: 'acme', tags: ['trail', 'red'] },
  b: { category: 'shoes', brand: 'zeta', tags: ['road'] },
  c: { category: 'shirts', brand: 'acme', tags: ['red', 'cotton', 'sale', 'new', 'extra'] },
  d: { category: 'socks', brand: 'omni', tags: [] },
};
export const catalog = (id: string): ItemAttributes | undefined => CATALOG[id];

export const NODES = ['n1', 'n2', 'n3'] as const;

export function opts(node: string, atP: number, l = 0, halfLifeMs = HALF_LIFE): ApplyOptions {
  return { node, at: { p: atP, l, n: node }, halfLifeMs, item: catalog };
}

export function event(
  type: EventType,
  id: string,
  ts: number,
  item?: string,
  props?: Record<string, unknown>,
): TesseraEvent {
  return { id, type, ts, ...(item !== undefined && { item }), ...(props !== undefined && { props }) };
}

const arbProps = (type: EventType): fc.Arbitrary<Record<string, unknown> | undefined> => {
  switch (type) {
    case 'feedback':
      return fc.oneof(
        fc.record({ kind: fc.constant('not_interested'), target: fc.constantFrom('item', 'category') }),
        fc.record({ kind: fc.constant('thumbs'), value: fc.constantFrom('up', 'down') }),
      );
    case 'consent':
      return fc.record({ personalization: fc.boolean(), analytics: fc.boolean() });
    case 'identify':
      return fc.record({
        userId: fc.constantFrom('u1', 'u2'),
        traits: fc.dictionary(
          fc.constantFrom('size', 'plan', 'vip', 'constructor', 'toString'),
          fc.oneof(fc.constantFrom('s', 'm', 'l'), fc.integer({ min: 0, max: 3 }), fc.boolean()),
        ),
      });
    case 'form':
      return fc.record({
        survey: fc.record({
          question: fc.constantFrom('goal', 'level'),
          answer: fc.constantFrom('run', 'walk', 1, true),
        }),
      });
    default:
      return fc.constant(undefined);
  }
};

/** An event within `spanMs` after T0, with ids, items and values drawn from small pools. */
export const arbEvent = (spanMs = 40 * DAY, ids = 40): fc.Arbitrary<TesseraEvent> =>
  fc
    .record({
      id: fc.integer({ min: 0, max: ids }).map((i) => `e${i}`),
      type: fc.oneof(
        fc.constantFrom('view', 'click', 'add_to_cart', 'purchase'),
        fc.constantFrom(...EVENT_TYPES),
      ),
      dt: fc.integer({ min: 0, max: spanMs }),
      item: fc.option(fc.constantFrom('a', 'b', 'c', 'd', ...Array.from({ length: 12 }, (_, i) => `i${i}`)), {
        nil: undefined,
        freq: 4,
      }),
    })
    .chain(({ id, type, dt, item }) => arbProps(type).map((props) => event(type, id, T0 + dt, item, props)));

/** Apply events in order on one node; the node clock ticks with each event and never runs behind it. */
export function applyAll(p: Profile, events: TesseraEvent[], node: string): Profile {
  let clock = 0;
  for (const e of events) {
    clock = Math.max(clock + 1, e.ts);
    p = applyEvent(p, e, opts(node, clock));
  }
  return p;
}

/** A profile made the only way profiles are made: events applied on a node. */
export const arbProfile = (spanMs?: number): fc.Arbitrary<Profile> =>
  fc
    .record({
      node: fc.constantFrom(...NODES),
      events: fc.array(arbEvent(spanMs), { maxLength: 40, size: 'max' }),
    })
    .map(({ node, events }) => applyAll(emptyProfile(T0), events, node));

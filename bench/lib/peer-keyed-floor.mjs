// A second plain-JS side of the peer benchmark: the same answers from a
// profile keyed by strings, as any engine whose keys are not known in advance
// must keep one. The visitor's raw events are folded into a Set of event ids
// (a repeated id counts once) and a Map of forward-decayed sums keyed
// `count:TYPE`, `item:ID` and `category:NAME` (from a catalog lookup); the
// decision reads the 20 category keys, the strongest one and the hashed arm.
//
// It is the least a keyed profile costs: no per-node components (the CRDT),
// no bounds, no recent items, no ordered `seen` list, no immutable snapshot.
// The floor side (peer-floor.mjs) counts into 20 slots it knows up front,
// which a profile of arbitrary keys cannot; this one shows what the keys
// themselves cost, so the equal-work target can be read against it.

import { plainAnswer, SEGMENT_IDS } from './peer-floor.mjs';
import { CATEGORIES, HALF_LIFE_MS, INTEREST_THRESHOLD } from './peer-workload.mjs';

const CATEGORY_KEYS = CATEGORIES.map((c) => `category:${c}`);
const COUNT_KEYS = new Map();

/**
 * The keys each catalog item adds to, made once outside the timed region
 * (interned, as a tuned engine would keep them): one lookup per event.
 */
function itemKeys(catalog) {
  return new Map(
    catalog.items.map((it) => [it.id, { item: `item:${it.id}`, category: `category:${it.category}` }]),
  );
}

/** Folds `events` into a fresh keyed profile: decayed sums against a landmark on the half-life grid. */
function foldKeyed(events, keysOf) {
  const seen = new Set();
  const sums = new Map();
  // A cell per key, added to in place: no new number stored in the Map per add.
  const add = (key, w) => {
    const cell = sums.get(key);
    if (cell === undefined) sums.set(key, { sum: w });
    else cell.sum += w;
  };
  const landmark = events.length === 0 ? 0 : Math.floor(events[0].ts / HALF_LIFE_MS) * HALF_LIFE_MS;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const w = 2 ** ((e.ts - landmark) / HALF_LIFE_MS);
    let countKey = COUNT_KEYS.get(e.type);
    if (countKey === undefined) {
      countKey = `count:${e.type}`;
      COUNT_KEYS.set(e.type, countKey);
    }
    add(countKey, w);
    if (e.type !== 'view' || e.item === undefined) continue;
    const keys = keysOf.get(e.item);
    if (keys === undefined) continue;
    add(keys.item, w);
    add(keys.category, w);
  }
  return { seen, sums, landmark };
}

export function keyedFloorSide(catalog) {
  const keysOf = itemKeys(catalog);
  const decide = (visitorId, profile, now) => {
    const read = 2 ** (-(now - profile.landmark) / HALF_LIFE_MS);
    const segments = [];
    let top = -1;
    let topSum = 0;
    for (let c = 0; c < CATEGORY_KEYS.length; c++) {
      const cell = profile.sums.get(CATEGORY_KEYS[c]);
      if (cell === undefined) continue;
      const s = cell.sum;
      if (s * read >= INTEREST_THRESHOLD) segments.push(SEGMENT_IDS[c]);
      // Ties go to the smaller key, as in Tessera's profile.
      if (top < 0 || s > topSum || (s === topSum && CATEGORY_KEYS[c] < CATEGORY_KEYS[top])) {
        top = c;
        topSum = s;
      }
    }
    return plainAnswer(visitorId, segments, top);
  };
  return {
    name: 'plain JS, keyed profile',
    fromEvents(v, now) {
      return decide(v.id, foldKeyed(v.events, keysOf), now);
    },
    prepare(v) {
      return foldKeyed(v.events, keysOf);
    },
    fromPrepared(profile, v, now) {
      return decide(v.id, profile, now);
    },
  };
}

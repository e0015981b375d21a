// The profile path: folding a visitor's events into the profile CRDT, beside
// a plain-JS floor doing the same arithmetic (a Map of decayed sums per key,
// a Set of event ids) in the same run.
//
// - applyEvent on an empty profile (one event, one new profile);
// - applyEvent on a profile at its size cap (a long chain of events for one
//   visitor, so every part is full and every event evicts something);
// - applyEvents folding a visitor's 20 raw view events (the peer workload's
//   history), against folding them with applyEvent one by one.
// Each figure is the median over rounds of the CPU time per event: on a
// machine shared with other work, wall time mostly measures the scheduler.
import * as tessera from '../dist/core/index.js';
import { median } from './lib/stats.mjs';

const { applyEvent, emptyProfile } = tessera;
const HALF_LIFE = 3 * 24 * 3600_000;
const NOW = 1_700_000_000_000;
const CATS = Array.from({ length: 20 }, (_, i) => `cat-${i}`);
const ITEMS = Array.from({ length: 400 }, (_, i) => ({
  id: `i${i}`,
  category: CATS[i % 20],
  brand: `b${i % 7}`,
  tags: [],
}));
const BY_ID = new Map(ITEMS.map((x) => [x.id, x]));
const item = (id) => BY_ID.get(id);
const TYPES = [
  'view',
  'view',
  'view',
  'click',
  'add_to_cart',
  'purchase',
  'page',
  'scroll',
  'dwell',
  'search',
];

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const opts = (node, p, l = 0) => ({ node, at: { p, l, n: node }, halfLifeMs: HALF_LIFE, item });

/** The peer workload's history: 20 views, 60% in the visitor's favourite category. */
function visitorViews(v, rand) {
  const favourite = Math.floor(rand() * 20);
  const events = [];
  for (let e = 0; e < 20; e++) {
    const cat = rand() < 0.6 ? favourite : Math.floor(rand() * 20);
    const it = ITEMS[cat + 20 * Math.floor(rand() * 20)];
    events.push({ id: `v${v}e${e}`, type: 'view', ts: NOW - (20 - e) * 60_000, item: it.id });
  }
  return events;
}

/**
 * Median over `rounds` of the CPU ns per op of `fn(ops)` (which runs `ops`
 * operations). Each round starts from a collected heap, then runs a tenth of
 * a round untimed: right after a full GC the young generation and the
 * inline caches refill, which is no part of the steady cost. Every side
 * (Tessera, the floor) is timed the same way.
 */
function nsPerOp(fn, ops, rounds = 15) {
  fn(ops); // warm up
  const per = [];
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    fn(Math.ceil(ops / 10));
    const t0 = process.cpuUsage();
    fn(ops);
    const { user, system } = process.cpuUsage(t0);
    per.push(((user + system) * 1000) / ops);
  }
  return median(per);
}

let sink = 0;

function emptyCase() {
  const events = Array.from({ length: 1000 }, (_, i) => ({
    id: `e${i}`,
    type: 'view',
    ts: NOW,
    item: ITEMS[i % 400].id,
  }));
  const o = opts('n1', NOW);
  return nsPerOp((n) => {
    for (let i = 0; i < n; i++) sink += applyEvent(emptyProfile(NOW), events[i % 1000], o).seen.length;
  }, 20_000);
}

function cappedCase() {
  const rand = lcg(11);
  const make = (i) => {
    const type = TYPES[Math.floor(rand() * TYPES.length)];
    return { id: `c${i}`, type, ts: NOW + i * 1000, item: ITEMS[Math.floor(rand() * 400)].id };
  };
  // Fill every part first: two nodes so counts reach their cap too.
  let p = emptyProfile(NOW);
  let i = 0;
  for (; i < 400; i++) p = applyEvent(p, make(i), opts(i % 2 ? 'n1' : 'n2', NOW + i * 1000));
  const L = tessera.PROFILE_LIMITS;
  const elements = (c) => Object.values(c).reduce((s, x) => s + Object.keys(x).length, 0);
  if (elements(p.affinities) < L.affinities || p.seen.length < L.seen || p.recent.length < L.recent)
    throw new Error('[tessera] [bench] the capped profile is not at its cap');
  const ns = nsPerOp((n) => {
    for (let k = 0; k < n; k++, i++) p = applyEvent(p, make(i), opts(i % 2 ? 'n1' : 'n2', NOW + i * 1000));
    sink += p.seen.length;
  }, 20_000);
  return { ns, affinities: elements(p.affinities), counts: elements(p.counts), seen: p.seen.length };
}

function visitorsCase() {
  const rand = lcg(7);
  const visitors = Array.from({ length: 500 }, (_, v) => visitorViews(v, rand));
  const clocked = (events) => events.map((e) => ({ e, o: opts('n1', e.ts) })); // one node clock reading per event
  const withClock = visitors.map(clocked);
  const fold = nsPerOp((n) => {
    for (let v = 0; v < n; v++) {
      let p = emptyProfile(NOW);
      for (const { e, o } of withClock[v % 500]) p = applyEvent(p, e, o);
      sink += p.seen.length;
    }
  }, 2_000);
  let batch;
  if (typeof tessera.applyEvents === 'function') {
    const { applyEvents } = tessera;
    batch = nsPerOp((n) => {
      for (let v = 0; v < n; v++) {
        const events = visitors[v % 500];
        let k = 0;
        const p = applyEvents(emptyProfile(NOW), events, {
          node: 'n1',
          at: () => ({ p: events[k++].ts, l: 0, n: 'n1' }),
          halfLifeMs: HALF_LIFE,
          item,
        });
        sink += p.seen.length;
      }
    }, 2_000);
  }
  const floor = nsPerOp((n) => {
    for (let v = 0; v < n; v++) sink += plainFold(visitors[v % 500]).size;
  }, 20_000);
  return { fold: fold / 20, batch: batch === undefined ? undefined : batch / 20, floor: floor / 20 };
}

/**
 * The floor: what any fold must do per event, in plain JS. Drop a repeated
 * event id, look the item up, add the decayed weight to its item, category
 * and brand keys and to the event type's count.
 */
function plainFold(events) {
  const seen = new Set();
  const sums = new Map();
  const landmark = Math.floor(NOW / HALF_LIFE) * HALF_LIFE;
  const add = (key, w) => sums.set(key, (sums.get(key) ?? 0) + w);
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const w = 2 ** ((e.ts - landmark) / HALF_LIFE);
    add(`count:${e.type}`, w);
    const it = item(e.item);
    add(`item:${e.item}`, w);
    if (it) {
      add(`category:${it.category}`, w);
      add(`brand:${it.brand}`, w);
    }
  }
  return sums;
}

export async function runProfile() {
  const empty = emptyCase();
  const capped = cappedCase();
  const v = visitorsCase();
  return {
    name: 'profile',
    applyEventEmptyNs: empty,
    applyEventCappedNs: capped.ns,
    capped: { affinities: capped.affinities, counts: capped.counts, seen: capped.seen },
    foldPerEventNs: v.fold,
    applyEventsPerEventNs: v.batch,
    floorPerEventNs: v.floor,
    ratio: (v.batch ?? v.fold) / v.floor,
    sink,
  };
}

/**
 * Seeded generators of data with known structure, for tests and benchmarks:
 * clustered user-item interactions (users mostly pick popular items of their
 * own cluster), and sessions that walk chains of items inside a theme (the
 * next click is usually the successor of the last one). A model that finds
 * the structure beats popularity; a session model that uses order beats one
 * that only uses co-occurrence.
 * @module
 */
import type { Interactions, Session, SessionData } from '../model-types.js';
import { mulberry32, type Rng } from '../rng.js';
import { fromPairs } from './csr.js';

/** An index in [0, n) with P(r) ∝ 1/(r+1)^s — a cheap Zipf by inverse CDF over a cached table. */
function zipfSampler(n: number, s: number): (rng: Rng) => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let r = 0; r < n; r++) {
    acc += 1 / (r + 1) ** s;
    cdf[r] = acc;
  }
  return (rng) => {
    const x = rng() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface ClusteredOptions {
  users: number;
  items: number;
  clusters: number;
  /** Mean interactions per user (each user gets between half and 1.5 times this). */
  perUser: number;
  /** Share of a user's picks from the global popularity instead of their cluster. */
  noise?: number;
  seed?: number;
}

export function clusteredInteractions(o: ClusteredOptions): Interactions {
  const rng = mulberry32(o.seed ?? 1);
  const noise = o.noise ?? 0.2;
  const perCluster = Math.ceil(o.items / o.clusters);
  const inCluster = zipfSampler(perCluster, 0.8);
  const global = zipfSampler(o.items, 1);
  const us: number[] = [];
  const is: number[] = [];
  const ts: number[] = [];
  const taken = new Int32Array(o.items).fill(-1);
  let clock = 1_700_000_000_000;
  for (let u = 0; u < o.users; u++) {
    const c = u % o.clusters;
    const want = Math.max(1, Math.round(o.perUser * (0.5 + rng())));
    let got = 0;
    for (let tries = 0; got < want && tries < want * 20; tries++) {
      const i = rng() < noise ? global(rng) : c + o.clusters * inCluster(rng);
      if (i >= o.items || taken[i] === u) continue;
      taken[i] = u;
      us.push(u);
      is.push(i);
      clock += 1000;
      ts.push(clock);
      got++;
    }
  }
  const itemIds = Array.from({ length: o.items }, (_, i) => `i${i}`);
  return fromPairs(o.users, itemIds, { u: us, i: is, t: ts });
}

export interface SequentialOptions {
  sessions: number;
  items: number;
  /** Shopping intents: each is a chain of `chainLength` items drawn from the whole catalog, so an item sits in several chains with a different successor in each. */
  themes: number;
  chainLength?: number;
  /** Probabilities of the next click: successor in the chain, two ahead, same chain at random; the rest is global noise. */
  pNext?: number;
  pSkip?: number;
  pTheme?: number;
  seed?: number;
}

/**
 * Sessions whose next click depends on the last click *and* on the intent:
 * the last item alone is ambiguous (it has a successor in each of its
 * chains), the session so far tells which chain the visitor is on.
 */
export function sequentialSessions(o: SequentialOptions): SessionData {
  const rng = mulberry32(o.seed ?? 1);
  const pNext = o.pNext ?? 0.55;
  const pSkip = o.pSkip ?? 0.15;
  const pTheme = o.pTheme ?? 0.2;
  const chainLength = o.chainLength ?? 40;
  const global = zipfSampler(o.items, 0.6);
  const chains: Int32Array[] = [];
  for (let t = 0; t < o.themes; t++) {
    const chain = new Int32Array(chainLength);
    for (let p = 0; p < chainLength; p++) chain[p] = global(rng);
    chains.push(chain);
  }
  const themePick = zipfSampler(o.themes, 0.5);
  const sessions: Session[] = [];
  let clock = 1_700_000_000_000;
  for (let s = 0; s < o.sessions; s++) {
    const chain = chains[themePick(rng)]!;
    const len = 2 + Math.floor(rng() * rng() * 14);
    const items = new Int32Array(len);
    const ts = new Float64Array(len);
    let pos = Math.floor(rng() * chainLength);
    for (let p = 0; p < len; p++) {
      let item = -1;
      if (p > 0) {
        const x = rng();
        if (x < pNext) pos = (pos + 1) % chainLength;
        else if (x < pNext + pSkip) pos = (pos + 2) % chainLength;
        else if (x < pNext + pSkip + pTheme) pos = Math.floor(rng() * chainLength);
        else item = global(rng);
      }
      items[p] = item >= 0 ? item : chain[pos]!;
      clock += 30_000;
      ts[p] = clock;
    }
    clock += 600_000;
    sessions.push({ id: `s${s}`, items, ts });
  }
  return { itemIds: Array.from({ length: o.items }, (_, i) => `i${i}`), sessions };
}

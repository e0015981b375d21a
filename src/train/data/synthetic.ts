/**
 * Generated datasets with known structure, so that a model which learns the
 * structure measurably beats one that does not — and so everything can be
 * built and checked without redistributing licensed data.
 *
 * - Ratings: users and items fall in latent clusters; a user rates mostly the
 *   items of their own cluster, with a Zipf popularity skew and a heavy-tailed
 *   activity per user. The defaults match MovieLens-100k's shape (943 users,
 *   1,682 items, ~100k ratings, at least 20 per user).
 * - Sessions: every item has a few successors (a per-item next-click
 *   distribution) and every session has a topic; a click follows a successor
 *   of the current item, or a popular item of the topic, or a popular item.
 * - Small fixtures for the algorithms' tests: `clusteredInteractions`
 *   (implicit, users mostly pick popular items of their own cluster) and
 *   `sequentialSessions` (sessions walk chains of items inside an intent, so
 *   a model that uses order beats one that only uses co-occurrence).
 *
 * One seeded PRNG (`createRng`, src/train/rng.ts) and one weighted sampler
 * serve them all.
 * @module
 */
import type { Interactions, Session, SessionData } from '../model-types.js';
import { createRng, type Rng, shuffle } from '../rng.js';
import { fromTriples } from './id-space.js';

export interface SyntheticRatingsOptions {
  users?: number;
  items?: number;
  ratings?: number;
  clusters?: number;
  /** Share of a user's ratings drawn from their own cluster. */
  inCluster?: number;
  /** Zipf exponent of item popularity. */
  zipf?: number;
  minPerUser?: number;
  seed?: number;
}

export interface SyntheticRatings {
  data: Interactions;
  /** Cluster of each item: the "category" that diversity can use. */
  itemCategory: Int32Array;
  userCluster: Int32Array;
}

/** Cumulative weights for sampling by binary search. */
class Sampler {
  private readonly cum: Float64Array;
  constructor(
    readonly values: Int32Array,
    weights: ArrayLike<number>,
  ) {
    this.cum = new Float64Array(values.length);
    let s = 0;
    for (let i = 0; i < values.length; i++) this.cum[i] = s += weights[i]!;
  }
  draw(rng: Rng): number {
    const x = rng() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }
}

/** An index in [0, n) with P(r) ∝ 1/(r+1)^s: rank 0 is the most popular. */
function zipfSampler(n: number, s: number): Sampler {
  return new Sampler(
    Int32Array.from({ length: n }, (_, i) => i),
    Float64Array.from({ length: n }, (_, r) => 1 / (r + 1) ** s),
  );
}

function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const rank = Int32Array.from({ length: n }, (_, i) => i);
  shuffle(rank, rng);
  return Float64Array.from(rank, (r) => 1 / (r + 1) ** s);
}

function groupSamplers(groupOf: Int32Array, groups: number, weights: Float64Array): Sampler[] {
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < groupOf.length; i++) members[groupOf[i]!]!.push(i);
  return members.map(
    (m) =>
      new Sampler(
        Int32Array.from(m),
        Float64Array.from(m, (i) => weights[i]!),
      ),
  );
}

const ML100K_START_S = 874_724_710; // first MovieLens-100k timestamp (Sept 1997)

export function syntheticRatings(o: SyntheticRatingsOptions = {}): SyntheticRatings {
  const nU = o.users ?? 943;
  const nI = o.items ?? 1682;
  const total = o.ratings ?? 100_000;
  const C = o.clusters ?? 19;
  const inCluster = o.inCluster ?? 0.8;
  const minPer = Math.min(o.minPerUser ?? 20, nI);
  const rng = createRng(o.seed ?? 1);
  const userCluster = Int32Array.from({ length: nU }, () => Math.floor(rng() * C));
  const itemCategory = Int32Array.from({ length: nI }, () => Math.floor(rng() * C));
  const popularity = zipfWeights(nI, o.zipf ?? 0.9, rng);
  const global = new Sampler(
    Int32Array.from({ length: nI }, (_, i) => i),
    popularity,
  );
  const byCluster = groupSamplers(itemCategory, C, popularity);
  // Heavy-tailed activity: a few users rate hundreds of items, most rate a few dozen.
  const activity = Float64Array.from({ length: nU }, () => (-Math.log(1 - rng())) ** 2);
  const spare = Math.max(0, total - nU * minPer);
  const sumA = activity.reduce((a, b) => a + b, 0);
  const rows = { u: [] as number[], i: [] as number[], v: [] as number[], t: [] as number[] };
  const seen = new Uint8Array(nI);
  for (let u = 0; u < nU; u++) {
    const want = Math.min(Math.floor(nI / 2), minPer + Math.round((spare * activity[u]!) / sumA));
    const own = byCluster[userCluster[u]!]!;
    const mine: number[] = [];
    for (let tries = 0; mine.length < want && tries < want * 20; tries++) {
      const fromOwn = own.values.length > 0 && rng() < inCluster;
      const i = fromOwn ? own.draw(rng) : global.draw(rng);
      if (seen[i]) continue;
      seen[i] = 1;
      mine.push(i);
      const match = itemCategory[i] === userCluster[u];
      const rating = match ? 3 + Math.floor(rng() * 2.6) : 1 + Math.floor(rng() * 3.6);
      rows.u.push(u);
      rows.i.push(i);
      rows.v.push(Math.min(5, rating));
      rows.t.push((ML100K_START_S + Math.floor(rng() * 200 * 86_400)) * 1000);
    }
    for (const i of mine) seen[i] = 0;
  }
  const userIds = Array.from({ length: nU }, (_, u) => String(u + 1));
  const itemIds = Array.from({ length: nI }, (_, i) => String(i + 1));
  return { data: fromTriples(userIds, itemIds, rows).data, itemCategory, userCluster };
}

export interface SyntheticSessionsOptions {
  sessions?: number;
  items?: number;
  topics?: number;
  /** Successors per item. */
  successors?: number;
  /** Chance that the next click is a successor of the current item. */
  follow?: number;
  /** Chance that it is a popular item of the session's topic (else a globally popular item). */
  topical?: number;
  meanLength?: number;
  days?: number;
  seed?: number;
}

export interface SyntheticSessions {
  data: SessionData;
  itemTopic: Int32Array;
}

const SUCCESSOR_WEIGHTS = [0.55, 0.3, 0.15, 0.1, 0.05];

export function syntheticSessions(o: SyntheticSessionsOptions = {}): SyntheticSessions {
  const nS = o.sessions ?? 20_000;
  const nI = o.items ?? 2_000;
  const T = o.topics ?? 20;
  const nSucc = Math.max(1, Math.min(o.successors ?? 3, SUCCESSOR_WEIGHTS.length));
  const follow = o.follow ?? 0.6;
  const topical = o.topical ?? 0.3;
  const meanLength = Math.max(2, o.meanLength ?? 6);
  const days = o.days ?? 30;
  const rng = createRng(o.seed ?? 1);
  const itemTopic = Int32Array.from({ length: nI }, () => Math.floor(rng() * T));
  const popularity = zipfWeights(nI, 1, rng);
  const all = Int32Array.from({ length: nI }, (_, i) => i);
  const global = new Sampler(all, popularity);
  const byTopic = groupSamplers(itemTopic, T, popularity);
  // Successors come mostly from the item's own topic; their order is their weight.
  const succWeights = SUCCESSOR_WEIGHTS.slice(0, nSucc);
  const successors = Array.from({ length: nI }, (_, i) => {
    const own = byTopic[itemTopic[i]!]!;
    const list = Int32Array.from({ length: nSucc }, () =>
      rng() < 0.8 && own.values.length > 0 ? own.draw(rng) : global.draw(rng),
    );
    return new Sampler(list, succWeights);
  });
  const topicWeights = Float64Array.from({ length: T }, () => 0.5 + rng());
  const topicSampler = new Sampler(
    Int32Array.from({ length: T }, (_, t) => t),
    topicWeights,
  );
  const start = Date.UTC(2024, 0, 1);
  const sessions: Session[] = [];
  for (let s = 0; s < nS; s++) {
    const topic = topicSampler.draw(rng);
    const inTopic = byTopic[topic]!.values.length > 0 ? byTopic[topic]! : global;
    const length = 2 + Math.floor(-Math.log(1 - rng()) * (meanLength - 2));
    const items = new Int32Array(length);
    const ts = new Float64Array(length);
    let t = start + Math.floor(rng() * days * 86_400) * 1000;
    items[0] = inTopic.draw(rng);
    ts[0] = t;
    for (let j = 1; j < length; j++) {
      const r = rng();
      const prev = items[j - 1]!;
      items[j] =
        r < follow
          ? successors[prev]!.draw(rng)
          : r < follow + topical
            ? inTopic.draw(rng)
            : global.draw(rng);
      t += (5 + Math.floor(rng() * 175)) * 1000;
      ts[j] = t;
    }
    sessions.push({ id: String(s + 1), items, ts });
  }
  sessions.sort((a, b) => a.ts[0]! - b.ts[0]!);
  const itemIds = Array.from({ length: nI }, (_, i) => `i${i}`);
  return { data: { itemIds, sessions }, itemTopic };
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

/** Implicit interactions (value 1): item i belongs to cluster i mod `clusters`, user u to u mod `clusters`. */
export function clusteredInteractions(o: ClusteredOptions): Interactions {
  const rng = createRng(o.seed ?? 1);
  const noise = o.noise ?? 0.2;
  const perCluster = Math.ceil(o.items / o.clusters);
  const inCluster = zipfSampler(perCluster, 0.8);
  const global = zipfSampler(o.items, 1);
  const rows = { u: [] as number[], i: [] as number[], v: [] as number[], t: [] as number[] };
  const taken = new Int32Array(o.items).fill(-1);
  let clock = 1_700_000_000_000;
  for (let u = 0; u < o.users; u++) {
    const c = u % o.clusters;
    const want = Math.max(1, Math.round(o.perUser * (0.5 + rng())));
    let got = 0;
    for (let tries = 0; got < want && tries < want * 20; tries++) {
      const i = rng() < noise ? global.draw(rng) : c + o.clusters * inCluster.draw(rng);
      if (i >= o.items || taken[i] === u) continue;
      taken[i] = u;
      rows.u.push(u);
      rows.i.push(i);
      rows.v.push(1);
      clock += 1000;
      rows.t.push(clock);
      got++;
    }
  }
  const userIds = Array.from({ length: o.users }, (_, u) => `u${u}`);
  const itemIds = Array.from({ length: o.items }, (_, i) => `i${i}`);
  return fromTriples(userIds, itemIds, rows).data;
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
  const rng = createRng(o.seed ?? 1);
  const pNext = o.pNext ?? 0.55;
  const pSkip = o.pSkip ?? 0.15;
  const pTheme = o.pTheme ?? 0.2;
  const chainLength = o.chainLength ?? 40;
  const global = zipfSampler(o.items, 0.6);
  const chains: Int32Array[] = [];
  for (let t = 0; t < o.themes; t++)
    chains.push(Int32Array.from({ length: chainLength }, () => global.draw(rng)));
  const themePick = zipfSampler(o.themes, 0.5);
  const sessions: Session[] = [];
  let clock = 1_700_000_000_000;
  for (let s = 0; s < o.sessions; s++) {
    const chain = chains[themePick.draw(rng)]!;
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
        else item = global.draw(rng);
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

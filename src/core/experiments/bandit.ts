/**
 * Bandit posteriors as mergeable counters. Every node counts trials
 * (visitors shown an arm) and wins (of those, visitors who converted) in its
 * own component; a node's view of an arm is the sum over components, and
 * two nodes' states merge by taking the larger value per component — a
 * G-counter, so merging is commutative, associative and idempotent, and any
 * node can ship its state to any other at any time (on the bus, or through
 * a store) without coordination.
 *
 * Thompson sampling draws one value from each arm's Beta(1 + wins,
 * 1 + trials − wins) posterior and shows the arm with the largest draw; an
 * exploration floor spreads a share of traffic uniformly, so an arm that
 * started unlucky keeps being measured.
 * @module
 */

/** node → count */
export type GCounter = Record<string, number>;

export interface ArmCounter {
  trials: GCounter;
  wins: GCounter;
}

/** experiment key → segment → arm → counters. */
export type BanditState = Record<string, Record<string, Record<string, ArmCounter>>>;

export const DEFAULT_EXPLORE = 0.1;
/** The segment bucket for visitors in no segment. */
export const ANY_SEGMENT = '*';

/** `obj[key]`, created empty first when missing. */
function child<T>(obj: Record<string, T>, key: string, make: () => T): T {
  const have = obj[key];
  if (have !== undefined) return have;
  const made = make();
  obj[key] = made;
  return made;
}

function sum(c: GCounter | undefined): number {
  let s = 0;
  if (c) for (const k in c) s += c[k]!;
  return s;
}

function mergeCounter(a: GCounter, b: GCounter): GCounter {
  const out: GCounter = { ...a };
  for (const k in b) out[k] = Math.max(out[k] ?? 0, b[k]!);
  return out;
}

/** The least upper bound of two states. */
export function mergeBandits(a: BanditState, b: BanditState): BanditState {
  const out: BanditState = structuredClone(a);
  for (const key in b) {
    const segs = child<Record<string, Record<string, ArmCounter>>>(out, key, () => ({}));
    for (const seg in b[key]) {
      const arms = child<Record<string, ArmCounter>>(segs, seg, () => ({}));
      for (const arm in b[key]![seg]) {
        const theirs = b[key]![seg]![arm]!;
        const mine = arms[arm];
        arms[arm] = mine
          ? { trials: mergeCounter(mine.trials, theirs.trials), wins: mergeCounter(mine.wins, theirs.wins) }
          : structuredClone(theirs);
      }
    }
  }
  return out;
}

export interface ArmTally {
  arm: string;
  trials: number;
  wins: number;
}

export class BanditCounters {
  constructor(
    readonly node: string,
    private state: BanditState = {},
  ) {}

  private counter(key: string, segment: string, arm: string): ArmCounter {
    const segs = child<Record<string, Record<string, ArmCounter>>>(this.state, key, () => ({}));
    const arms = child<Record<string, ArmCounter>>(segs, segment, () => ({}));
    return child(arms, arm, () => ({ trials: {}, wins: {} }));
  }

  trial(key: string, segment: string, arm: string): void {
    const c = this.counter(key, segment, arm);
    c.trials[this.node] = (c.trials[this.node] ?? 0) + 1;
  }

  win(key: string, segment: string, arm: string): void {
    const c = this.counter(key, segment, arm);
    c.wins[this.node] = (c.wins[this.node] ?? 0) + 1;
  }

  tally(key: string, segment: string, arms: readonly string[]): ArmTally[] {
    const seg = this.state[key]?.[segment];
    return arms.map((arm) => ({ arm, trials: sum(seg?.[arm]?.trials), wins: sum(seg?.[arm]?.wins) }));
  }

  segments(key: string): string[] {
    return Object.keys(this.state[key] ?? {});
  }

  /** Fold in another node's state (idempotent). */
  merge(other: BanditState): void {
    this.state = mergeBandits(this.state, other);
  }

  snapshot(): BanditState {
    return structuredClone(this.state);
  }
}

/** What Thompson sampling needs from a random source. */
export interface BetaSource {
  next(): number;
  beta(a: number, b: number): number;
}

/** Thompson sampling with a uniform exploration floor. */
export function thompsonPick(
  tallies: readonly ArmTally[],
  rnd: BetaSource,
  explore = DEFAULT_EXPLORE,
): string {
  if (tallies.length === 0) throw new Error('[tessera] [experiments] a bandit needs at least one arm');
  if (rnd.next() < explore) return tallies[Math.floor(rnd.next() * tallies.length)]!.arm;
  let best = tallies[0]!.arm;
  let bestDraw = -1;
  for (const t of tallies) {
    const draw = rnd.beta(1 + t.wins, 1 + Math.max(0, t.trials - t.wins));
    if (draw > bestDraw) {
      bestDraw = draw;
      best = t.arm;
    }
  }
  return best;
}

/** The arm with the highest posterior mean: what "stop and promote" picks. */
export function banditLeader(tallies: readonly ArmTally[]): string | undefined {
  let best: string | undefined;
  let bestMean = -1;
  for (const t of tallies) {
    const mean = (1 + t.wins) / (2 + t.trials);
    if (mean > bestMean) {
      bestMean = mean;
      best = t.arm;
    }
  }
  return best;
}

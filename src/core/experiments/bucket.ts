/**
 * Deterministic bucketing: the same visitor id lands in the same arm on every
 * node, in every runtime and in any port of the engine, with no state. The
 * hash is GrowthBook's v2 (FNV-1a 32 over UTF-16 code units, hashed twice),
 * so a visitor's unit value matches a GrowthBook SDK given the same seed.
 *
 * Traffic share and arm use two different seeds: whether a visitor is in the
 * experiment is independent of which arm they get, so raising traffic from
 * 10% to 50% adds visitors without moving anyone already in an arm.
 * @module
 */
import type { ExperimentDef } from '../config.js';
import { TesseraError } from '../errors.js';
import { type CompiledRule, compileRule, type RuleInput } from '../segments/compile.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/** FNV-1a state `h` carried on over the UTF-16 code units of `s`: hashing `a + b` is hashing `b` from `a`'s state. */
function fnvContinue(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** FNV-1a, 32 bit, over the UTF-16 code units of `s` (as GrowthBook does). */
export function fnv1a32(s: string): number {
  return fnvContinue(FNV_OFFSET, s) >>> 0;
}

/** Decimal digits of a uint32, least significant first (scratch for `fnv1a32Decimal`). */
const digits = new Uint8Array(10);

/** `fnv1a32(String(n))` for a uint32 `n`, without making the string. */
function fnv1a32Decimal(n: number): number {
  let len = 0;
  do {
    // n / 10 < 2^31 for a uint32, so `| 0` is its exact floor: integer
    // arithmetic from here on, where `%` would take the floating-point path.
    const q = (n / 10) | 0;
    digits[len++] = n - q * 10;
    n = q;
  } while (n > 0);
  let h = FNV_OFFSET;
  // '0' is code unit 48.
  while (len > 0) h = Math.imul(h ^ (48 + digits[--len]!), FNV_PRIME);
  return h >>> 0;
}

/** The FNV-1a state after `seed`, so a hash of `seed + id` starts from it (see `hashUnitFrom`). */
export function seedState(seed: string): number {
  return fnvContinue(FNV_OFFSET, seed);
}

/** `hashUnit(seed, id)` from `seedState(seed)`: the seed is hashed once, and `seed + id` never built. */
export function hashUnitFrom(state: number, id: string): number {
  return (fnv1a32Decimal(fnvContinue(state, id) >>> 0) % 10000) / 10000;
}

/** A uniform value in [0, 1) with 4 decimals for (seed, id): GrowthBook hash v2. */
export function hashUnit(seed: string, id: string): number {
  return hashUnitFrom(seedState(seed), id);
}

/** The seed for the traffic-share draw, apart from the arm draw. */
export function trafficSeed(key: string): string {
  return `${key}:traffic`;
}

export interface CompiledExperiment {
  key: string;
  targeting: CompiledRule | undefined;
  /** The arm for a visitor, or undefined when not targeted or outside the traffic share. */
  assign(visitorId: string, input: RuleInput): string | undefined;
  /** Whether the targeting rule holds and the visitor falls inside the traffic share. */
  eligible(visitorId: string, input: RuleInput): boolean;
  /** The hashed arm, ignoring targeting and traffic. */
  hashArm(visitorId: string): string;
  /** `hashUnit(trafficSeed(key), visitorId)`, with the seed hashed once. */
  trafficUnit(visitorId: string): number;
  /** `hashUnit(holdoutSeed(key), visitorId)`, with the seed hashed once. */
  holdoutUnit(visitorId: string): number;
}

function experimentsError(path: string, message: string): TesseraError {
  return new TesseraError(400, `[tessera] [experiments] ${path}: ${message}`);
}

/** Upper bounds of each arm's share of [0, 1), weights normalised; a missing weight counts 1. */
export function armBounds(exp: ExperimentDef, path = 'experiment'): number[] {
  if (!Array.isArray(exp.variants) || exp.variants.length === 0) {
    throw experimentsError(`${path}.variants`, 'expected at least one variant');
  }
  const weights = exp.variants.map((v, i) => {
    const w = v.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw experimentsError(`${path}.variants[${i}].weight`, 'expected a finite number ≥ 0');
    }
    return w;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw experimentsError(`${path}.variants`, 'weights sum to 0');
  let acc = 0;
  const bounds = weights.map((w) => {
    acc += w / total;
    return acc;
  });
  // Rounding must not leave a gap at the top: the last arm with weight takes up to 1.
  const last = weights.findLastIndex((w) => w > 0);
  for (let i = last; i < bounds.length; i++) bounds[i] = 1;
  return bounds;
}

export function compileExperiment(exp: ExperimentDef, path = 'experiment'): CompiledExperiment {
  if (typeof exp.key !== 'string' || exp.key === '')
    throw experimentsError(`${path}.key`, 'expected a non-empty key');
  const traffic = exp.traffic ?? 1;
  if (typeof traffic !== 'number' || !(traffic >= 0 && traffic <= 1)) {
    throw experimentsError(`${path}.traffic`, 'expected a number from 0 to 1');
  }
  const bounds = armBounds(exp, path);
  const arms = exp.variants.map((v) => v.key);
  const targeting = exp.targeting === undefined ? undefined : compileRule(exp.targeting, `${path}.targeting`);
  const armSeed = seedState(exp.key);
  const tSeed = seedState(trafficSeed(exp.key));
  const hSeed = seedState(holdoutSeed(exp.key));
  const trafficUnit = (visitorId: string): number => hashUnitFrom(tSeed, visitorId);
  const eligible = (visitorId: string, input: RuleInput): boolean =>
    (targeting === undefined || targeting(input)) && (traffic >= 1 || trafficUnit(visitorId) < traffic);
  const hashArm = (visitorId: string): string => {
    const u = hashUnitFrom(armSeed, visitorId);
    for (let i = 0; i < bounds.length; i++) if (u < bounds[i]!) return arms[i]!;
    return arms[arms.length - 1]!;
  };
  return {
    key: exp.key,
    targeting,
    eligible,
    hashArm,
    trafficUnit,
    holdoutUnit: (visitorId) => hashUnitFrom(hSeed, visitorId),
    assign: (visitorId, input) => (eligible(visitorId, input) ? hashArm(visitorId) : undefined),
  };
}

const compiledCache = new WeakMap<ExperimentDef, CompiledExperiment>();

/**
 * The arm of `visitorId` in `exp`, or undefined. Compiles `exp` on first use
 * and keeps it per definition object, so configs should be loaded once.
 */
export function assignArm(exp: ExperimentDef, visitorId: string, input: RuleInput): string | undefined {
  return compiledFor(exp).assign(visitorId, input);
}

/** `exp` compiled once per definition object. */
export function compiledFor(exp: ExperimentDef): CompiledExperiment {
  let compiled = compiledCache.get(exp);
  if (compiled === undefined) {
    compiled = compileExperiment(exp);
    compiledCache.set(exp, compiled);
  }
  return compiled;
}

/** The seed of the holdout draw, apart from traffic and arm. */
export function holdoutSeed(key: string): string {
  return `${key}:holdout`;
}

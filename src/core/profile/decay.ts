/**
 * Forward decay (Cormode et al.): an event of weight w at time t adds
 * w·2^((t−L)/h) to a sum kept against a landmark L; the sum reads as
 * S·2^(−(now−L)/h). With h the half-life this is the same as e^{(t−L)/τ}
 * with τ = h/ln 2. Adding is commutative, so per-node sums merge by max.
 *
 * Landmarks sit on a grid of whole half-lives. Moving one forward, or
 * rescaling an older profile to a newer landmark in merge, then multiplies
 * every sum by an exact power of two: the result does not depend on how many
 * steps it took, which keeps merge associative bit for bit.
 * @module
 */
import { DEFAULT_SETTINGS } from '../config.js';
import { TesseraError } from '../errors.js';
import type { Profile } from '../types.js';

/** The landmark moves once an event sits this many half-lives after it (2^256 ≈ 1e77, far from overflow). */
export const LANDMARK_SPAN_HALF_LIVES = 256;

/**
 * Sums below this are dropped. Read at or after the landmark they are worth
 * less than 1e-12, and keeping every stored value a normal float is what
 * makes power-of-two rescaling exact.
 */
export const MIN_STORED = 2 ** -40;

export function pow2(x: number): number {
  return 2 ** x;
}

/** 2^x, with x snapped to an integer when float noise left it a hair off one (grid rescales). */
function pow2Snapped(x: number): number {
  const r = Math.round(x);
  return 2 ** (Math.abs(x - r) < 1e-9 ? r : x);
}

/** The grid landmark at or before t. */
export function gridLandmark(t: number, halfLifeMs: number): number {
  return Math.floor(t / halfLifeMs) * halfLifeMs;
}

/** What one unit of weight at time t adds to a sum kept against `landmark`. */
export function forwardWeight(t: number, landmark: number, halfLifeMs: number): number {
  return pow2((t - landmark) / halfLifeMs);
}

/** A stored sum read at `now`. */
export function decayedValue(sum: number, landmark: number, now: number, halfLifeMs: number): number {
  return sum * decayFactor(landmark, now, halfLifeMs);
}

/** What `decayedValue` multiplies every sum kept against `landmark` by at `now`. */
export function decayFactor(landmark: number, now: number, halfLifeMs: number): number {
  return pow2(-(now - landmark) / halfLifeMs);
}

export function checkHalfLife(halfLifeMs: number): number {
  if (!(Number.isFinite(halfLifeMs) && halfLifeMs > 0)) {
    throw new TesseraError(
      500,
      `[tessera] [profile] halfLifeMs must be a positive number, got ${halfLifeMs}`,
    );
  }
  return halfLifeMs;
}

/** The half-life to read or rescale a profile's sums with: its own, else the caller's, else the default. */
export function halfLifeOf(p: Frame, fallback?: number): number {
  return p.halfLifeMs ?? fallback ?? DEFAULT_SETTINGS.halfLifeMs;
}

/** True when the profile holds any forward-decayed sum (only then do its landmark and half-life matter). */
export function hasDecayed(p: Pick<Profile, 'affinities' | 'counts'>): boolean {
  for (const _ in p.affinities) return true;
  for (const _ in p.counts) return true;
  return false;
}

/** Where the decayed sums of a profile are anchored. */
export interface Frame {
  landmark: number;
  halfLifeMs?: number | undefined;
}

/**
 * The frame a merge result uses: the latest landmark among profiles that hold
 * decayed sums (a profile without any has nothing to rescale, so its landmark
 * does not count), with the half-life as the last tie breaker. A maximum in a
 * fixed order, so the choice is commutative and associative.
 */
export function laterFrame(a: Profile, b: Profile): Frame {
  const ka = [hasDecayed(a) ? 1 : 0, a.landmark, a.halfLifeMs ?? 0] as const;
  const kb = [hasDecayed(b) ? 1 : 0, b.landmark, b.halfLifeMs ?? 0] as const;
  for (let i = 0; i < 3; i++) {
    if (ka[i] !== kb[i]) return frameOf(ka[i]! > kb[i]! ? a : b);
  }
  return frameOf(a);
}

function frameOf(p: Profile): Frame {
  return p.halfLifeMs === undefined
    ? { landmark: p.landmark }
    : { landmark: p.landmark, halfLifeMs: p.halfLifeMs };
}

/**
 * The factor that moves sums of `from` to the landmark of `to`: the sums are
 * decayed with their own half-life to the new landmark. On the grid and with
 * one half-life this is an exact power of two.
 */
export function rescaleFactor(from: Frame, to: Frame): number {
  if (from.landmark === to.landmark) return 1;
  return pow2Snapped(-(to.landmark - from.landmark) / halfLifeOf(from, to.halfLifeMs));
}

/**
 * The factor that re-expresses sums kept under another half-life: their value
 * at `t` under the old half-life becomes mass at `t` under the new frame. The
 * shape of the history is lost, the value now is kept; only a configuration
 * change takes this path.
 */
export function reanchorFactor(from: Frame, t: number, to: { landmark: number; halfLifeMs: number }): number {
  return (
    pow2(-(t - from.landmark) / halfLifeOf(from, to.halfLifeMs)) * pow2((t - to.landmark) / to.halfLifeMs)
  );
}

/**
 * Reusable per-artifact buffers for ranking, so a recommendation allocates
 * (almost) nothing and never clears anything proportional to the catalog.
 *
 * Each call takes a fresh generation number; an item's score or block mark
 * counts only when its stamp equals the current generation, so "clearing" is
 * one increment. The buffers are made once per artifact (O(items), like the
 * lazy id map) and dropped with it (WeakMap). Ranking is synchronous, so one
 * set of buffers per artifact is safe in a single-threaded isolate.
 * @module
 */
import type { Artifact } from './artifact-format.js';

export class RankScratch {
  /** Generation in which an item was first scored. */
  readonly scoredAt: Uint32Array;
  /** Generation in which an item was blocked (filtered or already picked). */
  readonly blockedAt: Uint32Array;
  readonly score: Float64Array;
  /** Which source gave an item its largest contribution (index into the source list). */
  readonly via: Int32Array;
  readonly viaScore: Float64Array;
  /** Items scored in this generation, in first-touch order. */
  touched: Int32Array;
  touchedCount = 0;
  private generation = 0;

  constructor(itemCount: number) {
    this.scoredAt = new Uint32Array(itemCount);
    this.blockedAt = new Uint32Array(itemCount);
    this.score = new Float64Array(itemCount);
    this.via = new Int32Array(itemCount);
    this.viaScore = new Float64Array(itemCount);
    this.touched = new Int32Array(256);
  }

  /** Starts a new ranking; returns its generation. */
  begin(): number {
    this.touchedCount = 0;
    if (this.generation === 0xffffffff) {
      // After 4 billion calls, wrap once: clear the stamps for real.
      this.generation = 0;
      this.scoredAt.fill(0);
      this.blockedAt.fill(0);
    }
    return ++this.generation;
  }

  get gen(): number {
    return this.generation;
  }

  isBlocked(i: number): boolean {
    return this.blockedAt[i] === this.generation;
  }

  block(i: number): void {
    this.blockedAt[i] = this.generation;
  }

  /** Adds to an item's score; `first` is true when it was not scored yet this generation. */
  touch(i: number): boolean {
    if (this.scoredAt[i] === this.generation) return false;
    this.scoredAt[i] = this.generation;
    this.score[i] = 0;
    this.viaScore[i] = Number.NEGATIVE_INFINITY;
    if (this.touchedCount === this.touched.length) {
      const grown = new Int32Array(this.touched.length * 2);
      grown.set(this.touched);
      this.touched = grown;
    }
    this.touched[this.touchedCount++] = i;
    return true;
  }
}

const scratches = new WeakMap<Artifact, RankScratch>();

export function scratchFor(a: Artifact): RankScratch {
  let s = scratches.get(a);
  if (s === undefined) {
    s = new RankScratch(a.itemCount);
    scratches.set(a, s);
  }
  return s;
}

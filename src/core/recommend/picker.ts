/**
 * Fills the slot in order of offer, with a light diversity rule: one brand
 * may take at most `maxBrandShare` of the list (at least one item). An item
 * over its brand's cap is deferred, not dropped: when every source is used up
 * and the list is still short, deferred items fill it in the order they came,
 * so the cap never leaves a slot emptier than it would be without it. Items
 * without a brand are never capped.
 *
 * This is deliberately simpler than MMR; a later issue can swap it for MMR
 * over attributes or embeddings behind the same `offer` interface.
 * @module
 */
import type { RecommendedItem } from '../types.js';
import type { Artifact } from './artifact-format.js';
import type { CandidateTable } from './candidate-table.js';

export const DEFAULT_MAX_BRAND_SHARE = 0.4;

export class Picker {
  readonly out: RecommendedItem[] = [];
  private readonly brands: number[] = [];
  private deferred: RecommendedItem[] | undefined;
  private readonly maxPerBrand: number;
  private readonly unbranded: number;

  constructor(
    private readonly artifact: Artifact,
    private readonly table: CandidateTable,
    private readonly count: number,
    maxBrandShare: number,
  ) {
    this.maxPerBrand =
      maxBrandShare >= 1 ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(count * maxBrandShare));
    this.unbranded = artifact.brandIndex('');
  }

  get full(): boolean {
    return this.out.length >= this.count;
  }

  /** Takes an eligible, unblocked item; blocks it so no later source offers it again. */
  offer(i: number, score: number, reason: string): void {
    this.table.block(i);
    const brand = this.artifact.brandIndexOf(i);
    if (brand !== this.unbranded && this.brandCount(brand) >= this.maxPerBrand) {
      this.deferred ??= [];
      this.deferred.push({ item: this.artifact.idOf(i), score, reason });
      return;
    }
    this.brands.push(brand);
    this.out.push({ item: this.artifact.idOf(i), score, reason });
  }

  /** Relaxes the cap: fills what is left with deferred items. */
  finish(): RecommendedItem[] {
    if (this.deferred) {
      for (const d of this.deferred) {
        if (this.full) break;
        this.out.push(d);
      }
    }
    return this.out;
  }

  private brandCount(brand: number): number {
    let n = 0;
    for (const b of this.brands) if (b === brand) n++;
    return n;
  }
}

/**
 * Live updates between retrains: events go in as the log takes them
 * (`observe`), and every `refreshMs` the overlay on the served artifact is
 * rebuilt from the counts (live-artifact.ts). `overlay(base)` is what a
 * decision calls: it returns the overlay built for that base, never builds
 * one itself — a base it has not seen yet (a swap just happened) is served
 * as it is while the overlay for it is built after the request.
 *
 * A new base (a retrain) has learned what the counts hold: they start over.
 * @module
 */
import type { CatalogItem } from '../../core/config.js';
import type { Artifact } from '../../core/recommend/index.js';
import type { LoggedEvent } from '../../core/types.js';
import type { LiveConfig } from '../lifecycle-config.js';
import { liveArtifact } from './live-artifact.js';
import { LiveCounts } from './live-counts.js';

/** Bases overlaid at once: production and a candidate in rollout. */
const BASES = 2;

export class LiveModel {
  private readonly counts: LiveCounts;
  private generation = 0;
  /** Overlays by base artifact, most recently built last. */
  private readonly built = new Map<Artifact, Artifact>();
  private readonly pending = new Set<Artifact>();
  private productionVersion: string | undefined;
  /** When the overlays in use were built (ms, the host's clock). */
  private refreshedAt: number | undefined;
  private dirty = false;

  constructor(
    private readonly catalog: ReadonlyMap<string, CatalogItem>,
    private readonly config: LiveConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new LiveCounts(config.halfLifeMs);
  }

  observe(events: readonly LoggedEvent[]): void {
    this.counts.addAll(events);
    if (events.length > 0) this.dirty = true;
  }

  /** A new production model (a retrain) has learned what the counts hold: they start over. */
  production(base: Artifact | undefined): void {
    if (!base || base.version === this.productionVersion) return;
    if (this.productionVersion !== undefined) this.counts.clear();
    this.productionVersion = base.version;
  }

  /** The overlay for `base` as of the last refresh; `base` itself until one is built. */
  overlay(base: Artifact | undefined): Artifact | undefined {
    if (!base) return base;
    const o = this.built.get(base);
    if (o) return o;
    if (!this.pending.has(base)) {
      this.pending.add(base);
      queueMicrotask(() => {
        this.pending.delete(base);
        this.build(base);
      });
    }
    return base;
  }

  /** Rebuild the overlays from the counts so far (the timer calls it every `refreshMs`). */
  refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    for (const base of [...this.built.keys()]) this.build(base);
  }

  private build(base: Artifact): void {
    this.generation++;
    const overlay = liveArtifact(base, this.counts, this.catalog, {
      weight: this.config.weight,
      generation: this.generation,
    });
    this.built.delete(base);
    this.built.set(base, overlay);
    while (this.built.size > BASES) this.built.delete(this.built.keys().next().value!);
    this.refreshedAt = this.now();
  }

  toJSON() {
    let newItems = 0;
    for (const [base, overlay] of this.built)
      newItems = Math.max(newItems, overlay.itemCount - base.itemCount);
    return {
      refresh_ms: this.config.refreshMs,
      events: this.counts.events,
      items: this.counts.popularity.size,
      new_items: newItems,
      generation: this.generation,
      refreshed_at: this.refreshedAt ?? null,
    };
  }
}

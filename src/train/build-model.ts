/**
 * The first-cut trainer: catalog + event log → artifact. Neighbours blend
 * catalog attributes with session co-occurrence (blend.ts); popularity and
 * per-segment lists come from weighted, decayed event counts.
 * @module
 */
import type { CatalogItem } from '../core/config.js';
import { writeArtifact } from '../core/recommend/artifact-write.js';
import type { LoggedEvent } from '../core/types.js';
import { attributeNeighbours } from './attributes.js';
import { blendNeighbours } from './blend.js';
import { cooccurrenceNeighbours } from './cooccurrence.js';
import { popularityScores, popularOrder } from './popularity.js';
import { isItemEvent, sessionsFromEvents } from './sessions.js';

export const TRAINER_NAME = 'cooc-attr/1';
export const DEFAULT_K = 50;
/** Longest popular list kept; the edge walks at most this far. */
export const POPULAR_LIMIT = 500;
/** Longest per-segment list kept. */
export const SEGMENT_LIMIT = 100;

export interface BuildModelOptions {
  catalog: CatalogItem[];
  events: Iterable<LoggedEvent>;
  /** Neighbours per item (default 50). */
  k?: number;
  /** Segment id → categories whose popular items make that segment's list. */
  segments?: Record<string, string[]>;
  /** createdAt of the artifact (default: the clock). */
  now?: number;
  /** Inactivity that splits a session (default 30 minutes). */
  sessionGapMs?: number;
}

export interface BuildModelStats {
  items: number;
  /** Item events of catalog items that fed co-occurrence. */
  interactions: number;
  /** Mean co-occurrence weight α over items: 0 = attributes only, → 1 as data grows. */
  blend: number;
}

export async function buildModel(
  opts: BuildModelOptions,
): Promise<{ artifact: ArrayBuffer; stats: BuildModelStats }> {
  const { catalog } = opts;
  const k = opts.k ?? DEFAULT_K;
  const index = new Map<string, number>();
  catalog.forEach((it, i) => {
    if (!index.has(it.id)) index.set(it.id, i);
  });

  const itemEvents: Array<LoggedEvent & { item: string }> = [];
  for (const e of opts.events) if (isItemEvent(e)) itemEvents.push(e);

  const attr = attributeNeighbours(catalog, k);
  const cooc = cooccurrenceNeighbours(sessionsFromEvents(itemEvents, opts.sessionGapMs), index, k);
  const blended = blendNeighbours(attr, cooc.neighbours, cooc.observations, k);

  const scores = popularityScores(itemEvents, index, catalog.length);
  const ranked = popularOrder(scores, (i) => catalog[i]!.in_stock);
  const segments: Record<string, number[]> = {};
  for (const [id, categories] of Object.entries(opts.segments ?? {})) {
    const wanted = new Set(categories);
    segments[id] = ranked.filter((i) => wanted.has(catalog[i]!.category)).slice(0, SEGMENT_LIMIT);
  }

  const artifact = await writeArtifact({
    items: catalog.map((it) => ({
      id: it.id,
      title: it.title,
      category: it.category,
      brand: it.brand,
      tags: it.tags,
      in_stock: it.in_stock,
    })),
    k,
    neighbours: blended.neighbours,
    popular: ranked.slice(0, POPULAR_LIMIT),
    segments,
    createdAt: opts.now ?? Date.now(),
    trainer: TRAINER_NAME,
  });
  return {
    artifact,
    stats: { items: catalog.length, interactions: cooc.interactions, blend: blended.meanAlpha },
  };
}

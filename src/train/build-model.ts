/**
 * The trainer: catalog + event log → artifact. By default neighbours blend
 * catalog attributes with session co-occurrence (blend.ts); with
 * `algorithm`, a tuned top-k model (EASE, item-kNN, ALS, …) gives the
 * neighbours of items it has seen, attributes those of new items. Session
 * successors come from sequential rules; popularity, per-segment and
 * per-context lists from weighted, decayed event counts.
 * @module
 */
import type { CatalogItem } from '../core/config.js';
import { writeArtifact } from '../core/recommend/artifact-write.js';
import type { LoggedEvent } from '../core/types.js';
import { algorithmNeighbours, interactionsFromEvents } from './algorithm-neighbours.js';
import { gru4recFromSessions } from './algorithms/gru4rec/from-events.js';
import { attributeNeighbours } from './attributes.js';
import { blendNeighbours } from './blend.js';
import { contextLists } from './context-lists.js';
import { cooccurrenceNeighbours } from './cooccurrence.js';
import { popularityScores, popularOrder } from './popularity.js';
import { DEFAULT_SESSION_K, sessionSuccessors } from './session-successors.js';
import { isItemEvent, sessionsFromEvents } from './sessions.js';

export const TRAINER_NAME = 'cooc-attr/2';
/** The steps `onStep` reports, in order. */
export const TRAIN_STEPS = ['neighbours', 'session rules', 'popularity', 'write'] as const;
export const DEFAULT_K = 50;
/** Longest popular list kept; the edge walks at most this far. */
export const POPULAR_LIMIT = 500;
/** Longest per-segment list kept. */
export const SEGMENT_LIMIT = 100;
/** Items in each visitor's precomputed list, by default, when a trained model is used. */
export const DEFAULT_PER_USER = 20;
/**
 * Most visitors given a list (the most recently active): 50,000 × 20 items is
 * about 4 MiB of indices plus the ids, inside the artifact's size budget.
 */
export const PER_USER_VISITOR_CAP = 50_000;

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
  /**
   * A top-k model of algorithms/index.ts (`ease`, `itemknn`, `als`, `bpr`, `ensemble`), or `gru4rec`
   * (the blend plus a GRU4Rec session model in ONNX, docs/onnx.md); default: the attribute/co-occurrence blend.
   */
  algorithm?: string;
  /**
   * Items in each known visitor's list, from the trained model (`algorithm`),
   * seen items left out (default DEFAULT_PER_USER; 0 leaves the section out).
   * The attribute/co-occurrence default has no per-visitor model, hence no lists.
   */
  perUser?: number;
  /** Most visitors given a list, the most recently active first (default PER_USER_VISITOR_CAP). */
  perUserVisitors?: number;
  /** Session successors kept per item (default 20; 0 leaves the section out). */
  sessionK?: number;
  /** Called before each step of TRAIN_STEPS, for progress bars. */
  onStep?: (step: (typeof TRAIN_STEPS)[number], index: number) => void;
  /** Lines worth showing (chosen hyperparameters). */
  log?: (line: string) => void;
}

export interface BuildModelStats {
  items: number;
  /** Item events of catalog items that fed co-occurrence. */
  interactions: number;
  /** Mean co-occurrence weight α over items: 0 = attributes only, → 1 as data grows. */
  blend: number;
  /** Items with no interactions (attribute neighbours only). */
  newItems: number;
  contexts: number;
  algorithm: string;
  params: Record<string, number | string | boolean>;
  /** Visitors with a precomputed list in the artifact. */
  userLists: number;
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
  const step = opts.onStep ?? (() => {});
  const log = opts.log ?? (() => {});
  const itemIds = catalog.map((it) => it.id);

  step('neighbours', 0);
  const attr = attributeNeighbours(catalog, k);
  const sessions = sessionsFromEvents(itemEvents, opts.sessionGapMs);
  const cooc = cooccurrenceNeighbours(sessions, index, k);
  let neighbours: Array<Array<[number, number]>>;
  let observations = cooc.observations;
  let embeddings: { dim: number; data: Float32Array } | undefined;
  let blend = 0;
  let params: Record<string, number | string | boolean> = {};
  let users: Record<string, number[]> = {};
  const algorithm = opts.algorithm ?? 'blend';
  let sessionOnnx: Uint8Array | undefined;
  if (algorithm === 'blend' || algorithm === 'gru4rec') {
    const blended = blendNeighbours(attr, cooc.neighbours, cooc.observations, k);
    neighbours = blended.neighbours;
    blend = blended.meanAlpha;
    // gru4rec: these neighbours are the candidates (and the fallback) the session model re-ranks.
    if (algorithm === 'gru4rec')
      ({ onnx: sessionOnnx, params } = gru4recFromSessions(sessions, itemIds, index, log));
  } else {
    const r = await algorithmNeighbours(
      algorithm,
      interactionsFromEvents(itemEvents, itemIds, index),
      k,
      log,
      {
        n: opts.perUser ?? DEFAULT_PER_USER,
        maxUsers: opts.perUserVisitors ?? PER_USER_VISITOR_CAP,
      },
    );
    // An item the model never saw gets its attribute neighbours until it has interactions.
    neighbours = r.neighbours.map((row, i) => (r.observations[i]! > 0 ? row : attr[i]!));
    observations = r.observations;
    embeddings = r.embeddings;
    params = r.params;
    users = r.userLists;
    blend = 1;
  }

  step('session rules', 1);
  const sessionK = opts.sessionK ?? DEFAULT_SESSION_K;
  const next = sessionK > 0 ? sessionSuccessors(sessions, itemIds, index, sessionK) : undefined;

  step('popularity', 2);
  const scores = popularityScores(itemEvents, index, catalog.length);
  const inStock = (i: number) => catalog[i]!.in_stock;
  const ranked = popularOrder(scores, inStock);
  const segments: Record<string, number[]> = {};
  for (const [id, categories] of Object.entries(opts.segments ?? {})) {
    const wanted = new Set(categories);
    segments[id] = ranked.filter((i) => wanted.has(catalog[i]!.category)).slice(0, SEGMENT_LIMIT);
  }
  const contexts = contextLists(itemEvents, index, inStock);

  step('write', 3);
  let newItems = 0;
  const artifact = await writeArtifact({
    items: catalog.map((it, i) => {
      const isNew = observations[i] === 0;
      if (isNew) newItems++;
      return {
        id: it.id,
        title: it.title,
        category: it.category,
        brand: it.brand,
        tags: it.tags,
        in_stock: it.in_stock,
        ...(isNew ? { isNew } : {}),
      };
    }),
    k,
    neighbours,
    ...(next ? { sessionNext: { k: sessionK, neighbours: next } } : {}),
    popular: ranked.slice(0, POPULAR_LIMIT),
    segments,
    contexts,
    ...(Object.keys(users).length > 0 ? { users } : {}),
    ...(embeddings ? { embeddings, encoding: { embeddings: 'int8' as const } } : {}),
    ...(sessionOnnx ? { sessionOnnx } : {}),
    createdAt: opts.now ?? Date.now(),
    trainer: algorithm === 'blend' ? TRAINER_NAME : `${algorithm}+attr/1`,
  });
  return {
    artifact,
    stats: {
      items: catalog.length,
      interactions: cooc.interactions,
      blend,
      newItems,
      contexts: Object.keys(contexts).length,
      algorithm,
      params,
      userLists: Object.keys(users).length,
    },
  };
}

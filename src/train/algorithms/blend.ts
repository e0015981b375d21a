/**
 * A validation-chosen blend of top-k models: a user's score for an item is
 *
 *   Σ_c w_c · z_c(u, i),
 *
 * where z_c is model c's score standardized over the user's unseen items
 * (so EASE's, item-kNN's and a factor model's scales meet), and the weights
 * are chosen on a validation split carved from the training data — never the
 * test. Choosing works in three steps:
 *
 * 1. each component is tuned on its own grid on the validation split (as
 *    tune.ts does), and the best setting stays fitted on the fit part;
 * 2. for at most `maxUsers` validation users, the candidates are the union of
 *    every component's top `pool` unseen items, each with its z-scores;
 * 3. coordinate search: the best single component starts at weight 1, then
 *    each other weight in turn takes the value of WEIGHT_STEPS that most
 *    improves validation nDCG@k, until a round changes nothing.
 *
 * Components with weight 0 are dropped; the others are refitted on all of
 * training with their chosen settings.
 * @module
 */
import { TopKAccumulator } from '../eval/metrics.js';
import type { Interactions, TopKModel, Tunable } from '../model-types.js';
import { mulberry32, shuffle } from '../rng.js';
import { TopK } from '../top-k.js';
import { ndcgAtK, splitTopKValidation, type TopKSplit } from './validation.js';

export const WEIGHT_STEPS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3];

export interface BlendOptions {
  k: number;
  seed: number;
  validationRatio: number;
  /** Validation users the weights are chosen on. */
  maxUsers: number;
  /** Candidates per component per user in the weight search. */
  pool: number;
  log?: (line: string) => void;
}

export const BLEND_DEFAULTS: BlendOptions = {
  k: 10,
  seed: 42,
  validationRatio: 0.25,
  maxUsers: 1000,
  pool: 50,
};

type Params = Record<string, number | string | boolean>;

export interface BlendSelection {
  /** Per component: its chosen setting, its weight and its own validation nDCG. */
  components: Array<{ name: string; params: Params; weight: number; validation: number }>;
  /** Validation nDCG@k of the blend with these weights. */
  validation: number;
}

/**
 * Selections by training data: `tessera eval` fits a freshly made model on the
 * same data the tuner fitted it on, and the choice (a deterministic function
 * of the data and the options) need not be made twice.
 */
const selections = new WeakMap<Interactions, Map<string, BlendSelection>>();

/** z-scores of `scores` over the entries not in `seen` (seen entries get −∞). */
function standardize(scores: Float32Array, seen: ArrayLike<number>, from: number, to: number): void {
  for (let e = from; e < to; e++) scores[seen[e]!] = Number.NaN;
  let count = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s)) continue;
    count++;
    sum += s;
    sq += s * s;
  }
  const mean = count > 0 ? sum / count : 0;
  const sd = count > 1 ? Math.sqrt(Math.max(0, sq / count - mean * mean)) : 0;
  const inv = sd > 0 ? 1 / sd : 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    scores[i] = Number.isNaN(s) ? Number.NEGATIVE_INFINITY : (s - mean) * inv;
  }
}

interface Candidates {
  /** Per user: candidate items, then per component their z-scores (component-major). */
  items: Int32Array[];
  z: Float32Array[];
  relevant: Array<Set<number>>;
}

function candidatesOf(models: TopKModel[], split: TopKSplit, o: BlendOptions): Candidates {
  const { fit, heldOut } = split;
  const m = fit.rowPtr.length - 1;
  const n = fit.itemIds.length;
  let users = Int32Array.from({ length: m }, (_, u) => u).filter(
    (u) => heldOut.rowPtr[u + 1]! > heldOut.rowPtr[u]!,
  );
  if (users.length > o.maxUsers) users = shuffle(users, mulberry32(o.seed)).subarray(0, o.maxUsers).sort();
  const dense = models.map(() => new Float32Array(n));
  const top = new TopK(Math.min(o.pool, n));
  const out: Candidates = { items: [], z: [], relevant: [] };
  for (const u of users) {
    const union = new Set<number>();
    models.forEach((model, c) => {
      const s = dense[c]!;
      model.score(u, s);
      standardize(s, fit.col, fit.rowPtr[u]!, fit.rowPtr[u + 1]!);
      top.reset();
      for (let i = 0; i < n; i++) if (s[i]! > Number.NEGATIVE_INFINITY) top.push(i, s[i]!);
      for (const [i] of top.result()) union.add(i);
    });
    const items = Int32Array.from(union);
    const z = new Float32Array(items.length * models.length);
    models.forEach((_, c) => {
      for (let x = 0; x < items.length; x++) z[c * items.length + x] = dense[c]![items[x]!]!;
    });
    out.items.push(items);
    out.z.push(z);
    out.relevant.push(new Set(heldOut.col.subarray(heldOut.rowPtr[u]!, heldOut.rowPtr[u + 1]!)));
  }
  return out;
}

function blendNdcg(cands: Candidates, weights: number[], k: number): number {
  const acc = new TopKAccumulator(k);
  const top = new TopK(k);
  const c = weights.length;
  for (let u = 0; u < cands.items.length; u++) {
    const items = cands.items[u]!;
    const z = cands.z[u]!;
    const len = items.length;
    top.reset();
    for (let x = 0; x < len; x++) {
      let s = 0;
      for (let q = 0; q < c; q++) if (weights[q] !== 0) s += weights[q]! * z[q * len + x]!;
      top.push(items[x]!, s);
    }
    const rel = cands.relevant[u]!;
    acc.add(
      top.result().map(([i]) => i),
      (i) => rel.has(i),
      rel.size,
    );
  }
  return cands.items.length > 0 ? acc.result().ndcg : 0;
}

/** Coordinate search over WEIGHT_STEPS from the best single component. */
export function searchWeights(
  cands: Candidates,
  single: number[],
  k: number,
): { weights: number[]; validation: number } {
  const c = single.length;
  const anchor = single.reduce((b, v, q) => (v > single[b]! ? q : b), 0);
  const weights: number[] = single.map((_, q) => (q === anchor ? 1 : 0));
  let best = blendNdcg(cands, weights, k);
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (let q = 0; q < c; q++) {
      if (q === anchor) continue;
      const keep = weights[q]!;
      let bestW = keep;
      for (const w of WEIGHT_STEPS) {
        if (w === keep) continue;
        weights[q] = w;
        const v = blendNdcg(cands, weights, k);
        // Strictly better only: ties keep the current (simpler) weight.
        if (v > best + 1e-12) [best, bestW] = [v, w];
      }
      weights[q] = bestW;
      if (bestW !== keep) changed = true;
    }
    if (!changed) break;
  }
  return { weights, validation: best };
}

export function selectBlend(
  components: Record<string, Tunable<TopKModel>>,
  train: Interactions,
  o: BlendOptions,
): BlendSelection {
  const split = splitTopKValidation(train, o.validationRatio, o.seed);
  const names = Object.keys(components);
  const chosen = names.map((name) => {
    const t = components[name]!;
    let best: { model: TopKModel; params: Params; validation: number } | undefined;
    for (const params of t.grid) {
      const model = t.make(params);
      const r = model.fit(split.fit);
      if (r instanceof Promise) throw new Error(`[tessera] [train] blend: ${name} needs a synchronous fit`);
      const v = ndcgAtK(model, split, o.k, o.maxUsers, o.seed);
      if (!best || v > best.validation) best = { model, params, validation: v };
    }
    o.log?.(`blend: ${name} nDCG@${o.k} ${best!.validation.toFixed(4)} (validation)`);
    return best!;
  });
  const cands = candidatesOf(
    chosen.map((c) => c.model),
    split,
    o,
  );
  const { weights, validation } = searchWeights(
    cands,
    chosen.map((c) => c.validation),
    o.k,
  );
  const selection: BlendSelection = {
    components: names.map((name, q) => ({
      name,
      params: chosen[q]!.params,
      weight: weights[q]!,
      validation: chosen[q]!.validation,
    })),
    validation,
  };
  o.log?.(
    `blend: ${selection.components.map((c) => `${c.name}=${c.weight}`).join(' ')}: nDCG@${o.k} ${validation.toFixed(4)} (validation)`,
  );
  return selection;
}

export class BlendModel implements TopKModel {
  readonly name = 'blend';
  readonly params: Params = {};
  readonly o: BlendOptions;
  selection: BlendSelection | undefined;
  private parts: Array<{ model: TopKModel; weight: number }> = [];
  private train: Interactions | undefined;
  private buffer = new Float32Array(0);
  /** The item factors of the heaviest component that has them (for diversity at the edge); set by fit. */
  itemFactors?: () => { dim: number; data: Float32Array };

  constructor(
    private readonly components: Record<string, Tunable<TopKModel>>,
    options: Partial<BlendOptions> = {},
  ) {
    this.o = { ...BLEND_DEFAULTS, ...options };
  }

  fit(train: Interactions): void {
    const key = `${this.o.k}/${this.o.seed}/${this.o.validationRatio}/${this.o.maxUsers}/${this.o.pool}/${Object.keys(this.components)}`;
    const byKey = selections.get(train) ?? new Map<string, BlendSelection>();
    selections.set(train, byKey);
    const selection = byKey.get(key) ?? selectBlend(this.components, train, this.o);
    byKey.set(key, selection);
    this.selection = selection;
    this.parts = [];
    for (const c of selection.components) {
      if (c.weight === 0) continue;
      const model = this.components[c.name]!.make(c.params);
      const r = model.fit(train);
      if (r instanceof Promise) throw new Error(`[tessera] [train] blend: ${c.name} needs a synchronous fit`);
      this.parts.push({ model, weight: c.weight });
      this.params[c.name] = c.weight;
      for (const [p, v] of Object.entries(c.params)) this.params[`${c.name}.${p}`] = v;
    }
    this.train = train;
    this.buffer = new Float32Array(train.itemIds.length);
    const withFactors = this.parts.filter((p) => p.model.itemFactors);
    const heaviest = withFactors.reduce<(typeof withFactors)[number] | undefined>(
      (a, b) => (a === undefined || b.weight > a.weight ? b : a),
      undefined,
    );
    if (heaviest) this.itemFactors = () => heaviest.model.itemFactors!();
    else delete this.itemFactors;
  }

  score(u: number, out: Float32Array): void {
    out.fill(0);
    const x = this.train;
    if (!x) return;
    for (const { model, weight } of this.parts) {
      model.score(u, this.buffer);
      standardize(this.buffer, x.col, x.rowPtr[u]!, x.rowPtr[u + 1]!);
      for (let i = 0; i < out.length; i++) {
        const z = this.buffer[i]!;
        // Seen items: the caller removes them; a finite score keeps sums well defined.
        out[i]! += z === Number.NEGATIVE_INFINITY ? -1e9 : weight * z;
      }
    }
  }

  /**
   * Each component's neighbour rows, scaled so a row's best is 1, summed with
   * the blend's weights. Undefined when no component has neighbours.
   */
  neighbours(k: number): Array<Array<[number, number]>> {
    const n = this.buffer.length;
    const sum = new Float64Array(n);
    const touched: number[] = [];
    const top = new TopK(k);
    const rows = this.parts
      .filter((p) => p.model.neighbours)
      .map((p) => ({ rows: p.model.neighbours!(k), weight: p.weight }));
    const out: Array<Array<[number, number]>> = new Array(n);
    for (let i = 0; i < n; i++) {
      touched.length = 0;
      for (const { rows: r, weight } of rows) {
        const row = r[i] ?? [];
        const max = row.reduce((a, [, s]) => Math.max(a, s), 0);
        if (!(max > 0)) continue;
        for (const [j, s] of row) {
          if (sum[j] === 0) touched.push(j);
          sum[j]! += (weight * s) / max;
        }
      }
      top.reset();
      for (const j of touched) {
        if (sum[j]! > 0) top.push(j, sum[j]!);
        sum[j] = 0;
      }
      out[i] = top.result();
    }
    return out;
  }
}

export function blendTunable(components: Record<string, Tunable<TopKModel>>): Tunable<TopKModel> {
  return {
    name: 'blend',
    // One setting: the weights are the blend's hyperparameters, chosen inside fit on a split of its own data.
    grid: [{}],
    make: () => new BlendModel(components),
  };
}

/**
 * GRU4Rec training (Hidasi et al., ICLR 2016; Hidasi & Karatzoglou, CIKM
 * 2018), by hand on Float32Arrays:
 *
 * - session-parallel mini-batches: B slots each hold one session; step t
 *   feeds every slot its current click and asks for its next one; a slot
 *   whose session ends takes the next session and its hidden state restarts
 *   from zero; the other slots carry theirs over;
 * - sampled softmax (cross-entropy): the targets of the other slots are the
 *   negatives of each slot (in-batch), plus `negatives` items drawn by
 *   popularity^sampleAlpha, shared by the batch;
 * - back-propagation through the last GRU step only (the hidden state that
 *   comes in is a constant), as GRU4Rec's own session-parallel training does;
 * - Adagrad, sparse for the item tables.
 * @module
 */

import type { SessionData } from '../../model-types.js';
import { createRng, shuffle } from '../../rng.js';
import { Adagrad } from './adagrad.js';
import { PopularitySampler } from './sampler.js';
import { type GruWeights, initWeights, sigmoid } from './weights.js';

/** The output bias of items absent from training: far below any trained score. */
export const UNSEEN_BIAS = -1e4;

export interface Gru4RecParams {
  hidden: number;
  batch: number;
  epochs: number;
  lr: number;
  negatives: number;
  sampleAlpha: number;
  seed: number;
}

export const GRU4REC_DEFAULTS: Gru4RecParams = {
  hidden: 48,
  batch: 32,
  epochs: 3,
  lr: 0.1,
  negatives: 64,
  sampleAlpha: 0.5,
  seed: 42,
};

/** Called after each mini-batch with the steps done and the steps of the whole run. */
export type TrainProgress = (done: number, total: number, loss: number) => void;

export function trainGru4Rec(data: SessionData, p: Gru4RecParams, onProgress?: TrainProgress): GruWeights {
  const items = data.itemIds.length;
  const H = p.hidden;
  const B = p.batch;
  const rng = createRng(p.seed);
  const wt = initWeights(items, H, rng);
  const sessions = data.sessions.filter((s) => s.items.length >= 2).map((s) => s.items);
  const counts = new Float64Array(items);
  let steps = 0;
  for (const s of sessions) {
    for (const i of s) counts[i]!++;
    steps += s.length - 1;
  }
  const totalBatches = Math.ceil(steps / B) * p.epochs;
  const sampler = new PopularitySampler(counts, p.sampleAlpha);
  const opt = {
    embed: new Adagrad(wt.embed, p.lr),
    w: new Adagrad(wt.w, p.lr),
    r: new Adagrad(wt.r, p.lr),
    b: new Adagrad(wt.b, p.lr),
    out: new Adagrad(wt.out, p.lr),
    outBias: new Adagrad(wt.outBias, p.lr),
  };
  const N = B + p.negatives;
  // Per-slot state and caches of the forward step.
  const hPrev = new Float32Array(B * H);
  const hNew = new Float32Array(B * H);
  const z = new Float32Array(B * H);
  const rg = new Float32Array(B * H);
  const n = new Float32Array(B * H);
  const hn = new Float32Array(B * H); // Rn·h + Rbn
  const inputs = new Int32Array(B);
  const sample = new Int32Array(N);
  const logits = new Float32Array(B * N);
  const dh = new Float32Array(B * H);
  const gW = new Float32Array(3 * H * H);
  const gR = new Float32Array(3 * H * H);
  const gB = new Float32Array(6 * H);
  const da = new Float32Array(3 * H); // gate pre-activation gradients of one slot
  const dhn = new Float32Array(H);
  // Sparse item gradients: one row per distinct item of the batch.
  const rowOf = new Int32Array(items).fill(-1);
  const rowItems = new Int32Array(N + B);
  const gOut = new Float32Array((N + B) * H);
  const gBias = new Float32Array(N + B);
  const gEmbed = new Float32Array((N + B) * H);
  const gx = new Float32Array(3 * H);
  const gh = new Float32Array(3 * H);

  const { w: W, r: R, b: Bias, embed: E, out: O, outBias: OB } = wt;
  const order = Int32Array.from(sessions, (_, i) => i);
  const slotSession = new Int32Array(B);
  const slotPos = new Int32Array(B);
  let batchesDone = 0;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    shuffle(order, rng);
    let nextSession = 0;
    hPrev.fill(0);
    for (let b = 0; b < B; b++) {
      slotSession[b] = nextSession < order.length ? order[nextSession++]! : -1;
      slotPos[b] = 0;
    }
    for (;;) {
      let active = 0;
      for (let b = 0; b < B; b++) if (slotSession[b]! >= 0) active++;
      if (active === 0) break;
      // Forward: one GRU step per active slot.
      for (let b = 0; b < B; b++) {
        const si = slotSession[b]!;
        if (si < 0) {
          sample[b] = sampler.draw(rng);
          continue;
        }
        const s = sessions[si]!;
        inputs[b] = s[slotPos[b]!]!;
        sample[b] = s[slotPos[b]! + 1]!;
        const x0 = inputs[b]! * H;
        const h0 = b * H;
        for (let g = 0; g < 3 * H; g++) {
          let sx = Bias[g]!;
          let sh = Bias[3 * H + g]!;
          const row = g * H;
          for (let j = 0; j < H; j++) {
            sx += W[row + j]! * E[x0 + j]!;
            sh += R[row + j]! * hPrev[h0 + j]!;
          }
          gx[g] = sx;
          gh[g] = sh;
        }
        for (let j = 0; j < H; j++) {
          const zz = sigmoid(gx[j]! + gh[j]!);
          const rr = sigmoid(gx[H + j]! + gh[H + j]!);
          const nn = Math.tanh(gx[2 * H + j]! + rr * gh[2 * H + j]!);
          z[h0 + j] = zz;
          rg[h0 + j] = rr;
          n[h0 + j] = nn;
          hn[h0 + j] = gh[2 * H + j]!;
          hNew[h0 + j] = (1 - zz) * nn + zz * hPrev[h0 + j]!;
        }
      }
      for (let j = B; j < N; j++) sample[j] = sampler.draw(rng);
      // Scores over the sample and softmax cross-entropy; dLogits overwrite logits.
      let loss = 0;
      for (let b = 0; b < B; b++) {
        if (slotSession[b]! < 0) continue;
        const h0 = b * H;
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < N; c++) {
          const it = sample[c]!;
          let s = OB[it]!;
          const o = it * H;
          for (let j = 0; j < H; j++) s += hNew[h0 + j]! * O[o + j]!;
          logits[b * N + c] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let c = 0; c < N; c++) {
          const e = Math.exp(logits[b * N + c]! - max);
          logits[b * N + c] = e;
          sum += e;
        }
        loss -= Math.log(logits[b * N + b]! / sum + 1e-12);
        for (let c = 0; c < N; c++)
          logits[b * N + c] = (logits[b * N + c]! / sum - (c === b ? 1 : 0)) / active;
      }
      // Backward into the output table, the hidden states and the GRU.
      let rows = 0;
      const rowFor = (it: number): number => {
        let r = rowOf[it]!;
        if (r < 0) {
          r = rows++;
          rowOf[it] = r;
          rowItems[r] = it;
          gOut.fill(0, r * H, r * H + H);
          gEmbed.fill(0, r * H, r * H + H);
          gBias[r] = 0;
        }
        return r;
      };
      dh.fill(0);
      for (let c = 0; c < N; c++) {
        const it = sample[c]!;
        const row = rowFor(it) * H;
        const o = it * H;
        for (let b = 0; b < B; b++) {
          if (slotSession[b]! < 0) continue;
          const d = logits[b * N + c]!;
          if (d === 0) continue;
          gBias[row / H]! += d;
          const h0 = b * H;
          for (let j = 0; j < H; j++) {
            gOut[row + j]! += d * hNew[h0 + j]!;
            dh[h0 + j]! += d * O[o + j]!;
          }
        }
      }
      gW.fill(0);
      gR.fill(0);
      gB.fill(0);
      for (let b = 0; b < B; b++) {
        if (slotSession[b]! < 0) continue;
        const h0 = b * H;
        for (let j = 0; j < H; j++) {
          const d = dh[h0 + j]!;
          const zz = z[h0 + j]!;
          const rr = rg[h0 + j]!;
          const nn = n[h0 + j]!;
          const dn = d * (1 - zz) * (1 - nn * nn);
          da[j] = d * (hPrev[h0 + j]! - nn) * zz * (1 - zz);
          da[2 * H + j] = dn;
          dhn[j] = dn * rr;
          da[H + j] = dn * hn[h0 + j]! * rr * (1 - rr);
        }
        const x0 = inputs[b]! * H;
        const ex = rowFor(inputs[b]!) * H;
        for (let g = 0; g < 3 * H; g++) {
          const dg = da[g]!;
          const dr = g >= 2 * H ? dhn[g - 2 * H]! : dg;
          gB[g]! += dg;
          gB[3 * H + g]! += dr;
          const row = g * H;
          for (let j = 0; j < H; j++) {
            gW[row + j]! += dg * E[x0 + j]!;
            gR[row + j]! += dr * hPrev[h0 + j]!;
            gEmbed[ex + j]! += dg * W[row + j]!;
          }
        }
      }
      opt.w.apply(gW);
      opt.r.apply(gR);
      opt.b.apply(gB);
      for (let q = 0; q < rows; q++) {
        const it = rowItems[q]!;
        opt.out.apply(gOut, it * H, q * H, H);
        opt.embed.apply(gEmbed, it * H, q * H, H);
        opt.outBias.apply(gBias, it, q, 1);
        rowOf[it] = -1;
      }
      // Advance: carry the hidden state, or start the slot's next session from zero.
      for (let b = 0; b < B; b++) {
        const si = slotSession[b]!;
        if (si < 0) continue;
        slotPos[b]!++;
        const h0 = b * H;
        if (slotPos[b]! + 1 < sessions[si]!.length) {
          hPrev.set(hNew.subarray(h0, h0 + H), h0);
        } else {
          slotSession[b] = nextSession < order.length ? order[nextSession++]! : -1;
          slotPos[b] = 0;
          hPrev.fill(0, h0, h0 + H);
        }
      }
      batchesDone++;
      onProgress?.(Math.min(batchesDone, totalBatches), totalBatches, loss / active);
    }
  }
  // Items no training session clicked were never a target: they are never recommended.
  for (let i = 0; i < items; i++)
    if (counts[i] === 0) {
      OB[i] = UNSEEN_BIAS;
      wt.out.fill(0, i * H, i * H + H);
    }
  return wt;
}

import { describe, expect, it } from 'vitest';
import { ZcdpAccountant } from './accountant.js';
import { trainLocally } from './client.js';
import { SecureAggregationRound } from './round.js';
import { clipBeforeRounding, fixedPointScale, MaskingClient, quantize } from './secure-agg.js';
import { FederatedServer, RejectedRoundError } from './server.js';

const N_ITEMS = 50;
const DIM = 4;
const CLIP = 1;
const CLIENTS = 5;

function server(): FederatedServer {
  const initial = Float32Array.from({ length: N_ITEMS * DIM }, (_, q) => Math.sin(q) * 0.1);
  return new FederatedServer({
    nItems: N_ITEMS,
    dim: DIM,
    clip: CLIP,
    clientsPerRound: CLIENTS,
    learningRate: 1,
    momentum: 0,
    scale: fixedPointScale(CLIP, CLIENTS),
    accountant: new ZcdpAccountant(0, 1e-5, Number.POSITIVE_INFINITY),
    uniform: Math.random,
    initial,
  });
}

/** One round where client 0 sends `poison(...)` instead of its honest update; returns the model's move. */
async function roundWith(poison: (global: Float32Array, scale: number) => Uint32Array): Promise<number> {
  const s = server();
  const scale = s.o.scale;
  const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => MaskingClient.create(i)));
  const round = new SecureAggregationRound({ round: 0, length: N_ITEMS * DIM, minClients: CLIENTS });
  for (const c of clients) round.register(c.id, c.publicKey);
  const global = Float32Array.from(s.items);
  const opts = {
    dim: DIM,
    alpha: 1,
    lambda: 1,
    epochs: 1,
    learningRate: 0.05,
    clip: clipBeforeRounding(CLIP, N_ITEMS * DIM, scale),
  };
  for (const c of clients) {
    const honest = () =>
      quantize(
        trainLocally(global, { items: Int32Array.of(c.id, c.id + 10), values: Float32Array.of(1, 1) }, opts)
          .delta,
        scale,
      );
    const update = c.id === 0 ? poison(global, scale) : honest();
    round.submit(c.id, await c.mask(0, update, round.peersOf(c.id)));
  }
  const { sum, survivors } = await round.close();
  const before = Float32Array.from(s.items);
  s.apply(sum, survivors.length);
  let d2 = 0;
  for (let q = 0; q < before.length; q++) d2 += (s.items[q]! - before[q]!) ** 2;
  return Math.sqrt(d2);
}

describe('poisoning', () => {
  it('bounds a client whose local training produces a huge update: the client code clips it', async () => {
    const move = await roundWith((global, scale) => {
      // A visitor with every item at weight 100 and a huge local step: the raw update is enormous.
      const items = Int32Array.from({ length: N_ITEMS }, (_, i) => i);
      const u = trainLocally(
        global,
        { items, values: new Float32Array(N_ITEMS).fill(100) },
        {
          dim: DIM,
          alpha: 1,
          lambda: 1,
          epochs: 1,
          learningRate: 1e4,
          clip: clipBeforeRounding(CLIP, global.length, scale),
        },
      );
      expect(u.rawNorm).toBeGreaterThan(1e6);
      return quantize(u.delta, scale);
    });
    // FedAvg with η = 1 and no momentum: the model moves by at most (Σ ‖Δ_i‖)/clientsPerRound ≤ C.
    expect(move).toBeLessThanOrEqual(CLIP + 1e-6);
    expect(move).toBeGreaterThan(0);
  });

  it('rejects a round in which a client bypasses clipping, leaving the model untouched', async () => {
    const s = server();
    const before = Float32Array.from(s.items);
    await expect(
      roundWith((global, scale) => quantize(new Float32Array(global.length).fill(1000), scale)),
    ).rejects.toBeInstanceOf(RejectedRoundError);
    expect(Array.from(s.items)).toEqual(Array.from(before));
  });

  it('never moves the model by more than C per round, whatever one client sends', async () => {
    // The largest poison the check lets through: the rest of the allowed norm, all on one coordinate.
    const move = await roundWith((global, scale) => {
      const v = new Float32Array(global.length);
      v[0] = CLIENTS * CLIP * 0.2;
      return quantize(v, scale);
    });
    expect(move).toBeLessThanOrEqual(CLIP + 1e-6);
  });
});

/**
 * The server's side of one secure-aggregation round:
 *
 *   1. `register` — each selected client sends its public key.
 *   2. `peersOf` — after registration, each client gets its neighbours' keys.
 *      Neighbours form a k-regular Harary graph over a seeded permutation of
 *      the registered ids (Bell et al. 2020); k ≥ n − 1 is Bonawitz's
 *      complete graph. The permutation seed is public: the server cannot
 *      isolate a client among neighbours of its choosing.
 *   3. `submit` — each client sends its masked, quantized update.
 *   4. Clients that registered but did not submit have dropped: their
 *      neighbours' masks no longer cancel. `unmaskRequests` lists, per
 *      surviving neighbour, the dropped peers whose round seed it must reveal;
 *      `reveal` takes them, and `close` regenerates and removes those masks.
 *
 * The round closes only with at least `minClients` survivors and every
 * requested seed revealed; otherwise `close` throws and nothing is learnt.
 * @module
 */
import { createRng, shuffle } from '../train/rng.js';
import { addInRing, maskFromSeed, maskSign, type PeerKey } from './secure-agg.js';

export interface RoundOptions {
  round: number;
  /** Length of every update (uint32 words). */
  length: number;
  /** The round does not close with fewer survivors. */
  minClients: number;
  /** Masking neighbours per client (default: everyone, Bonawitz's complete graph). */
  neighbours?: number;
  /** Public seed of the neighbour graph (default: the round number). */
  graphSeed?: number;
}

export class RoundNotClosedError extends Error {}

/** Symmetric neighbour lists: a ring over a seeded permutation, each id linked to ⌈k/2⌉ on each side. */
export function neighbourGraph(ids: ReadonlyArray<number>, k: number, seed: number): Map<number, number[]> {
  const n = ids.length;
  const order = shuffle(ids.slice(), createRng(seed));
  const graph = new Map<number, Set<number>>(ids.map((id) => [id, new Set<number>()]));
  const half = Math.min(Math.ceil(k / 2), Math.floor(n / 2));
  for (let p = 0; p < n; p++)
    for (let s = 1; s <= half; s++) {
      const a = order[p]!;
      const b = order[(p + s) % n]!;
      if (a === b) continue;
      graph.get(a)!.add(b);
      graph.get(b)!.add(a);
    }
  return new Map([...graph].map(([id, set]) => [id, [...set].sort((x, y) => x - y)]));
}

export class SecureAggregationRound {
  private readonly keys = new Map<number, Uint8Array>();
  private readonly inputs = new Map<number, Uint32Array>();
  private readonly revealed = new Map<number, Map<number, Uint8Array>>();
  private graph: Map<number, number[]> | undefined;

  constructor(readonly o: RoundOptions) {}

  register(id: number, publicKey: Uint8Array): void {
    if (this.graph) throw new Error('[tessera] [federated] registration is closed for this round');
    this.keys.set(id, publicKey);
  }

  private ensureGraph(): Map<number, number[]> {
    if (!this.graph) {
      const ids = [...this.keys.keys()].sort((a, b) => a - b);
      this.graph = neighbourGraph(ids, this.o.neighbours ?? ids.length - 1, this.o.graphSeed ?? this.o.round);
    }
    return this.graph;
  }

  /** The client's masking neighbours with their public keys (closes registration). */
  peersOf(id: number): PeerKey[] {
    const ids = this.ensureGraph().get(id);
    if (!ids)
      throw new Error(`[tessera] [federated] client ${id} did not register for round ${this.o.round}`);
    return ids.map((peer) => ({ id: peer, publicKey: this.keys.get(peer)! }));
  }

  submit(id: number, masked: Uint32Array): void {
    if (!this.ensureGraph().has(id))
      throw new Error(`[tessera] [federated] client ${id} is not in this round`);
    if (masked.length !== this.o.length)
      throw new Error(`[tessera] [federated] update of length ${masked.length}, expected ${this.o.length}`);
    this.inputs.set(id, masked);
  }

  get survivors(): number[] {
    return [...this.inputs.keys()].sort((a, b) => a - b);
  }

  get dropped(): number[] {
    return [...this.ensureGraph().keys()].filter((id) => !this.inputs.has(id));
  }

  /** Per surviving client, the dropped neighbours whose seeds it must reveal. */
  unmaskRequests(): Map<number, number[]> {
    const graph = this.ensureGraph();
    const gone = new Set(this.dropped);
    const out = new Map<number, number[]>();
    for (const id of this.survivors) {
      const ask = graph.get(id)!.filter((peer) => gone.has(peer));
      if (ask.length > 0) out.set(id, ask);
    }
    return out;
  }

  reveal(id: number, seeds: ReadonlyArray<{ peer: number; seed: Uint8Array }>): void {
    const mine = this.revealed.get(id) ?? new Map<number, Uint8Array>();
    for (const s of seeds) mine.set(s.peer, s.seed);
    this.revealed.set(id, mine);
  }

  /** The exact sum of the survivors' quantized updates (mod 2^32). */
  async close(): Promise<{ sum: Uint32Array; survivors: number[]; dropped: number[] }> {
    const survivors = this.survivors;
    if (survivors.length < this.o.minClients)
      throw new RoundNotClosedError(
        `[tessera] [federated] round ${this.o.round}: ${survivors.length} survivors, at least ${this.o.minClients} needed`,
      );
    const sum = new Uint32Array(this.o.length);
    for (const id of survivors) addInRing(sum, this.inputs.get(id)!);
    for (const [id, peers] of this.unmaskRequests())
      for (const peer of peers) {
        const seed = this.revealed.get(id)?.get(peer);
        if (!seed)
          throw new RoundNotClosedError(
            `[tessera] [federated] round ${this.o.round}: client ${id} did not reveal its seed with dropped client ${peer}`,
          );
        // The survivor added sign(id, peer)·mask; take it out again.
        addInRing(sum, await maskFromSeed(seed, this.o.length), maskSign(id, peer) === 1 ? -1 : 1);
      }
    return { sum, survivors, dropped: this.dropped };
  }
}

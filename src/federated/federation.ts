/**
 * One node of a federation that closes rounds across regions (hierarchical
 * FedAvg over the bus).
 *
 * Each node runs secure aggregation with its own clients (`round.ts`), and
 * hands the unmasked sum to `contribute`: a partial, keyed by (round, node),
 * that travels on the bus and merges as a CRDT (`partials.ts`). A round
 * closes when the partials' clients reach `minClients`:
 *
 * - **Who closes.** The lowest node id among the round's contributors, at
 *   once when every member has contributed, else after `graceMs` (a member
 *   may be slow or dead). The contributor of rank k waits k·`takeoverMs`
 *   more, so a closer that dies after contributing does not block the round.
 * - **What it releases.** The closer merges the partials (mod 2^32), checks
 *   ‖sum‖ ≤ clients·C per partial (a partial over it is left out), adds the
 *   round's N(0, (zC)²) noise once, and publishes the closing. Noise is drawn
 *   by the closer alone: nobody, the closer included, can take it out again.
 * - **What every node does with it.** The model is a pure function of the
 *   winning closings (the lowest closer's, per round), folded from the
 *   initial table with the closing's own denominator, learning rate and
 *   momentum. A node that later sees a lower closer's closing for a round
 *   recomputes from that round, so all nodes converge to the same table.
 * - **Privacy.** ε is read from the closings (each one a Gaussian release,
 *   charged even if it loses a race), so every node states the same ε.
 * - **The registry.** Each materialized round is written as an artifact
 *   (`embeddings-artifact.ts`) and registered with its privacy budget in the
 *   metadata, then pointed at by the candidate alias, from where it rolls out
 *   like any model. Equal tables give equal bytes, so nodes writing the
 *   same round to a shared registry write the same version.
 *
 * Delivery on the bus is at most once; every `resendMs` a node resends its
 * partial for the open round and its last closings, which merging makes safe.
 * @module
 */
import type { Bus, Clock } from '../core/ports.js';
import { systemClock } from '../core/ports.js';
import { type ModelVersions, promoteModel, registerModel } from '../models/model-registry.js';
import { epsilonOf, roundRho } from './accountant.js';
import { addGaussianNoise, cryptoUniform, type UniformSource } from './dp.js';
import { type CatalogItems, embeddingsArtifact } from './embeddings-artifact.js';
import {
  closingsOf,
  decodeFederationMessage,
  emptyFederation,
  encodeClosing,
  encodePartial,
  mergeInto,
  type PartialSum,
  partialsOf,
  type RoundClosing,
  spentEpsilon,
  stateOf,
  winningClosing,
} from './partials.js';
import { addInRing, dequantize } from './secure-agg.js';

export interface FederationNodeOptions {
  node: string;
  /** Every node id of the federation (the closer waits for all of them, or `graceMs`). */
  members: ReadonlyArray<string>;
  bus: Bus;
  /** Bus topic (default `federated`). */
  topic?: string;
  /** The registry (a shared one, or one per node: equal tables register as equal versions). */
  models: ModelVersions;
  /** The items, in the order of the table's rows. */
  catalog: CatalogItems;
  dim: number;
  /** The table before round 0 (the same on every node). */
  initial: Float32Array;
  /** Per-client L2 bound C and the fixed-point scale clients quantize with. */
  clip: number;
  scale: number;
  /** The FedAvg denominator (clients per round, across all nodes). */
  clientsPerRound: number;
  /** A round closes with at least this many clients across nodes. */
  minClients: number;
  /** A node does not publish a partial of fewer clients (default 2): no one sees a lone update. */
  minClientsPerNode?: number;
  /** Noise multiplier, δ and the ε budget (Infinity: none). */
  z: number;
  delta: number;
  budget: number;
  learningRate?: number;
  momentum?: number;
  graceMs?: number;
  takeoverMs?: number;
  resendMs?: number;
  /** How often the node checks whether to close (default 50 ms); 0: only when `tick` is called. */
  tickMs?: number;
  /** Neighbours per item in the artifact (default 20). */
  k?: number;
  clock?: Clock;
  uniform?: UniformSource;
  onError?: (e: unknown) => void;
}

interface Materialized {
  closing: RoundClosing;
  items: Float32Array;
  velocity: Float64Array;
  /** Clients of every round up to this one. */
  clients: number;
}

export class FederationNode {
  private readonly state = emptyFederation();
  private readonly applied: Materialized[] = [];
  private readonly readySince = new Map<number, number>();
  private readonly validity = new WeakMap<PartialSum, boolean>();
  private readonly clock: Clock;
  private readonly uniform: UniformSource;
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastResend = 0;
  private registering: Promise<void> = Promise.resolve();
  private registered: { round: number; version: string } | undefined;
  private stopped = false;

  private constructor(readonly o: FederationNodeOptions) {
    this.clock = o.clock ?? systemClock;
    this.uniform = o.uniform ?? cryptoUniform();
    if (o.initial.length !== o.catalog.length * o.dim)
      throw new Error('[tessera] [federated] initial item table has the wrong size');
  }

  static async start(o: FederationNodeOptions): Promise<FederationNode> {
    const n = new FederationNode(o);
    n.unsubscribe = await o.bus.subscribe(o.topic ?? 'federated', (bytes) => n.receive(bytes));
    const every = o.tickMs ?? 50;
    if (every > 0) {
      n.timer = setInterval(() => n.tick(), every);
      (n.timer as { unref?: () => void }).unref?.();
    }
    return n;
  }

  /** The round this node gathers now: every earlier round is materialized. */
  get round(): number {
    return this.applied.length;
  }

  /** The current item table (after the last materialized round). */
  get items(): Float32Array {
    return this.applied.at(-1)?.items ?? this.o.initial;
  }

  /** ε of every release this node has seen, at δ. */
  get epsilon(): number {
    return spentEpsilon(this.state, this.o.delta);
  }

  get roundEpsilon(): number {
    return epsilonOf(this.o.z === 0 ? Number.POSITIVE_INFINITY : roundRho(this.o.z), this.o.delta);
  }

  /** The closing this node applied for `round`. */
  closingOf(round: number): RoundClosing | undefined {
    return this.applied[round]?.closing;
  }

  /** The last version this node registered, once its registry writes have landed. */
  async version(): Promise<{ round: number; version: string } | undefined> {
    await this.registering;
    return this.registered;
  }

  /** Publishes this node's partial for the open round: the unmasked sum of its clients' updates. */
  async contribute(round: number, sum: Uint32Array, clients: number): Promise<void> {
    if (round !== this.round)
      throw new Error(`[tessera] [federated] ${this.o.node} gathers round ${this.round}, not ${round}`);
    if (clients < (this.o.minClientsPerNode ?? 2))
      throw new Error(
        `[tessera] [federated] ${this.o.node}: a partial of ${clients} clients would expose too few updates`,
      );
    if (sum.length !== this.items.length)
      throw new Error(`[tessera] [federated] partial of length ${sum.length}, expected ${this.items.length}`);
    const partial: PartialSum = { round, node: this.o.node, clients, sum: Uint32Array.from(sum) };
    this.merge(stateOf([partial]));
    await this.o.bus.publish(this.topic, encodePartial(partial));
  }

  /** Closes the open round when this node is due to; resends; called by the timer. */
  tick(): void {
    if (this.stopped) return;
    try {
      this.maybeClose();
      const now = this.clock.now();
      if (now - this.lastResend >= (this.o.resendMs ?? 500)) {
        this.lastResend = now;
        this.resend();
      }
    } catch (e) {
      this.o.onError?.(e);
    }
  }

  /** Leaves the federation: no more messages in or out (the bus belongs to the caller). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.registering;
  }

  private get topic(): string {
    return this.o.topic ?? 'federated';
  }

  private receive(bytes: Uint8Array): void {
    if (this.stopped) return;
    try {
      this.merge(stateOf([decodeFederationMessage(bytes)]));
      this.maybeClose();
    } catch (e) {
      this.o.onError?.(e);
    }
  }

  private merge(from: ReturnType<typeof emptyFederation>): void {
    if (mergeInto(this.state, from)) this.materialize();
  }

  /** A partial within what clipped clients can sum to (a partial over it is left out of the round). */
  private valid(p: PartialSum): boolean {
    let ok = this.validity.get(p);
    if (ok === undefined) {
      let s2 = 0;
      for (const v of dequantize(p.sum, this.o.scale)) s2 += v * v;
      ok = p.sum.length === this.o.initial.length && Math.sqrt(s2) <= p.clients * this.o.clip;
      if (!ok)
        this.o.onError?.(
          new Error(`[tessera] [federated] partial of ${p.node} for round ${p.round} exceeds clients × C`),
        );
      this.validity.set(p, ok);
    }
    return ok;
  }

  private maybeClose(): void {
    const t = this.round;
    if (closingsOf(this.state, t).length > 0) return;
    const partials = partialsOf(this.state, t).filter((p) => this.valid(p));
    const clients = partials.reduce((n, p) => n + p.clients, 0);
    const now = this.clock.now();
    if (clients < this.o.minClients) {
      this.readySince.delete(t);
      return;
    }
    const since = this.readySince.get(t) ?? now;
    this.readySince.set(t, since);
    const contributors = partials.map((p) => p.node);
    const rank = contributors.includes(this.o.node) ? contributors.indexOf(this.o.node) : contributors.length;
    const everyone = this.o.members.every((m) => contributors.includes(m));
    const wait = (everyone ? 0 : (this.o.graceMs ?? 2000)) + rank * (this.o.takeoverMs ?? 2000);
    if (now - since < wait) return;
    const rho = this.o.z === 0 ? Number.POSITIVE_INFINITY : roundRho(this.o.z);
    const after = epsilonOf(this.spentRho() + rho, this.o.delta);
    if (Number.isFinite(this.o.budget) && !(after <= this.o.budget * (1 + 1e-9))) return;
    this.close(t, partials, now);
  }

  private spentRho(): number {
    let rho = 0;
    for (const c of this.state.closings.values()) rho += c.z === 0 ? Number.POSITIVE_INFINITY : roundRho(c.z);
    return rho;
  }

  private close(round: number, partials: PartialSum[], now: number): void {
    const merged = new Uint32Array(this.o.initial.length);
    for (const p of partials) addInRing(merged, p.sum);
    const noisySum = dequantize(merged, this.o.scale);
    addGaussianNoise(noisySum, this.o.z * this.o.clip, this.uniform);
    const closing: RoundClosing = {
      round,
      closer: this.o.node,
      closedAt: now,
      included: Object.fromEntries(partials.map((p) => [p.node, p.clients])),
      clients: partials.reduce((n, p) => n + p.clients, 0),
      z: this.o.z,
      clip: this.o.clip,
      delta: this.o.delta,
      denominator: this.o.clientsPerRound,
      learningRate: this.o.learningRate ?? 1,
      momentum: this.o.momentum ?? 0.9,
      noisySum,
    };
    this.merge(stateOf([closing]));
    this.send(encodeClosing(closing));
  }

  private send(bytes: Uint8Array): void {
    this.o.bus.publish(this.topic, bytes).catch((e) => this.o.onError?.(e));
  }

  private resend(): void {
    const mine = this.state.partials.get(`${this.round}/${this.o.node}`);
    if (mine) this.send(encodePartial(mine));
    for (let r = Math.max(0, this.round - 3); r <= this.round; r++)
      for (const c of closingsOf(this.state, r)) this.send(encodeClosing(c));
  }

  /** Folds the winning closings onto the initial table, from the first round whose winner changed. */
  private materialize(): void {
    const before = this.applied.at(-1)?.closing;
    for (let r = 0; ; r++) {
      const w = winningClosing(this.state, r);
      if (!w) break;
      const have = this.applied[r]?.closing;
      if (have && have.closer === w.closer && have.closedAt === w.closedAt) continue;
      this.applied.length = r;
      const prev = this.applied[r - 1];
      const items = Float32Array.from(prev?.items ?? this.o.initial);
      const velocity = Float64Array.from(prev?.velocity ?? new Float64Array(items.length));
      for (let q = 0; q < items.length; q++) {
        const v = w.momentum * velocity[q]! + w.noisySum[q]! / w.denominator;
        velocity[q] = v;
        items[q] = items[q]! + w.learningRate * v;
      }
      this.applied.push({ closing: w, items, velocity, clients: (prev?.clients ?? 0) + w.clients });
    }
    const last = this.applied.at(-1);
    if (last && last.closing !== before) {
      const round = this.applied.length - 1;
      this.registering = this.registering.then(() => this.register(round)).catch((e) => this.o.onError?.(e));
    }
  }

  /** Registers the table after `round` with its privacy budget and makes it the candidate. */
  private async register(round: number): Promise<void> {
    // A newer round was materialized meanwhile: its registration is queued behind this one.
    if (round !== this.applied.length - 1) return;
    const m = this.applied[round]!;
    const c = m.closing;
    const artifact = await embeddingsArtifact(this.o.catalog, m.items, this.o.dim, {
      createdAt: c.closedAt,
      ...(this.o.k === undefined ? {} : { k: this.o.k }),
    });
    let rho = 0;
    for (let r = 0; r <= round; r++)
      for (const x of closingsOf(this.state, r)) rho += x.z === 0 ? Number.POSITIVE_INFINITY : roundRho(x.z);
    const meta = await registerModel(this.o.models, artifact, {
      algorithm: 'federated-mf',
      created: c.closedAt,
      params: {
        // JSON has no Infinity: a run without noise says so in words.
        epsilon: finiteOr(epsilonOf(rho, c.delta)),
        delta: c.delta,
        rounds: round + 1,
        clients: m.clients,
        clip: c.clip,
        noise_multiplier: c.z,
        round_epsilon: finiteOr(epsilonOf(c.z === 0 ? Number.POSITIVE_INFINITY : roundRho(c.z), c.delta)),
        dim: this.o.dim,
      },
    });
    if ((await this.o.models.aliases()).candidate !== meta.version)
      await promoteModel(this.o.models, meta.version, 'candidate');
    this.registered = { round, version: meta.version };
  }
}

const finiteOr = (v: number): number | string => (Number.isFinite(v) ? v : 'inf');

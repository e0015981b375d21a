/**
 * One edge node's federated rounds, driven by the browsers' requests: the
 * global item table (DP-FedAvg, server.ts) and the secure-aggregation round
 * in progress (round.ts). There is no timer: each request first moves the
 * round along by the clock (registration closes when the round is full or
 * its window passed; submission ends when everyone sent or its window
 * passed), so the coordinator runs the same in a Worker and on Node.
 *
 * Phases: `register` → `submit` → `unmask` (only when someone dropped) →
 * closed, and the next round opens. A round that cannot close (too few
 * survivors, a seed never revealed) is abandoned: nothing is applied and no
 * budget is spent. Client ids are drawn at random per join and come with a
 * random token, so one browser cannot submit for another.
 * @module
 */
import { noiseMultiplierFor, ZcdpAccountant } from './accountant.js';
import { cryptoUniform } from './dp.js';
import { RoundNotClosedError, SecureAggregationRound } from './round.js';
import { fixedPointScale } from './secure-agg.js';
import { FederatedServer, RejectedRoundError } from './server.js';

export interface CoordinatorOptions {
  /** Item ids, in the order of the table's rows. */
  items: string[];
  dim: number;
  clip: number;
  /** Registration closes once this many joined. */
  clientsPerRound: number;
  /** A round closes only with this many survivors (default half of clientsPerRound). */
  minClients?: number;
  /** Total budget ε at δ (Infinity: no noise). */
  epsilon: number;
  delta: number;
  /** Rounds the budget is spread over; no round runs beyond them. */
  rounds: number;
  /** Local training the browsers run (sent with the model). */
  local: { epochs: number; learningRate: number; alpha: number; lambda: number };
  serverLearningRate?: number;
  momentum?: number;
  /** Registration window after the first join, ms (default 30 s). */
  registerMs?: number;
  /** Submission window after registration closed, ms (default 60 s). */
  submitMs?: number;
  /** Unmasking window, ms (default 30 s). */
  unmaskMs?: number;
  /** Initial table (default: small uniform values from crypto.getRandomValues). */
  initial?: Float32Array;
  /** Fixed-point scale (default: from `clip` and `clientsPerRound`; a federation sizes it for all its nodes' clients). */
  scale?: number;
  /**
   * Where a closed round's unmasked sum goes instead of this coordinator's own
   * DP-FedAvg step: a `FederationNode` that merges it with the other nodes'
   * partials, adds the noise once and publishes the new table. The
   * coordinator then waits (phase `wait`, no joins) until the federation's
   * round moves past the one it contributed to, and serves its table.
   */
  federation?: RoundSink;
  now?: () => number;
}

/** What a coordinator hands its rounds to when it is one node of a federation (`FederationNode`). */
export interface RoundSink {
  /** The round the federation gathers now. */
  readonly round: number;
  /** The table after the last round the federation closed. */
  readonly items: Float32Array;
  /** ε spent so far, at the coordinator's δ. */
  readonly epsilon: number;
  contribute(round: number, sum: Uint32Array, clients: number): Promise<void>;
}

export type Phase = 'register' | 'submit' | 'unmask' | 'wait';

export class FederatedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`[tessera] [federated] ${message}`);
  }
}

interface Member {
  token: string;
  submitted: boolean;
}

export interface ClosedRound {
  round: number;
  survivors: number;
  dropped: number;
  epsilon: number;
}

export class FederatedCoordinator {
  readonly server: FederatedServer;
  readonly accountant: ZcdpAccountant;
  readonly scale: number;
  readonly length: number;
  private readonly now: () => number;
  round = 0;
  phase: Phase = 'register';
  /** Bumped each time a round changes the table. */
  version = 0;
  private current: SecureAggregationRound;
  private members = new Map<number, Member>();
  private phaseSince = 0;
  /** The federation round this node contributed to and waits on (phase `wait`). */
  private waitingOn = -1;
  readonly history: ClosedRound[] = [];
  abandoned = 0;

  constructor(readonly o: CoordinatorOptions) {
    this.now = o.now ?? Date.now;
    this.length = o.items.length * o.dim;
    this.scale = o.scale ?? fixedPointScale(o.clip, o.clientsPerRound);
    this.accountant = new ZcdpAccountant(
      noiseMultiplierFor(o.epsilon, o.delta, o.rounds),
      o.delta,
      o.epsilon,
    );
    const initial = o.initial ?? randomTable(this.length);
    this.server = new FederatedServer({
      nItems: o.items.length,
      dim: o.dim,
      clip: o.clip,
      clientsPerRound: o.clientsPerRound,
      learningRate: o.serverLearningRate ?? 1,
      momentum: o.momentum ?? 0.9,
      scale: this.scale,
      accountant: this.accountant,
      uniform: cryptoUniform(),
      initial,
    });
    this.current = this.open();
  }

  /** The table browsers train against: the federation's when there is one. */
  get items(): Float32Array {
    return this.o.federation?.items ?? this.server.items;
  }

  /** ε spent so far at δ: the federation's when there is one (it adds the noise). */
  get epsilon(): number {
    return this.o.federation?.epsilon ?? this.accountant.totalEpsilon;
  }

  get minClients(): number {
    return this.o.minClients ?? Math.ceil(this.o.clientsPerRound / 2);
  }

  private open(): SecureAggregationRound {
    this.members = new Map();
    this.phase = 'register';
    this.phaseSince = this.now();
    return new SecureAggregationRound({
      round: this.round,
      length: this.length,
      minClients: this.minClients,
      neighbours: 2 * Math.ceil(Math.log2(Math.max(2, this.o.clientsPerRound))),
    });
  }

  /** Moves the round along by the clock; call before serving any request. */
  async tick(): Promise<void> {
    const fed = this.o.federation;
    if (this.phase === 'wait' && fed && fed.round > this.waitingOn) {
      this.version++;
      this.round++;
      this.current = this.open();
    }
    const waited = this.now() - this.phaseSince;
    if (this.phase === 'register' && this.members.size > 0 && waited >= (this.o.registerMs ?? 30_000))
      this.closeRegistration();
    if (this.phase === 'submit' && waited >= (this.o.submitMs ?? 60_000)) await this.endSubmission();
    if (this.phase === 'unmask' && waited >= (this.o.unmaskMs ?? 30_000)) this.abandon();
  }

  private closeRegistration(): void {
    if (this.members.size < this.minClients) {
      this.abandon(); // too few joined in the window: start over with whoever comes next
      return;
    }
    this.phase = 'submit';
    this.phaseSince = this.now();
  }

  private async endSubmission(): Promise<void> {
    if (this.current.unmaskRequests().size > 0) {
      this.phase = 'unmask';
      this.phaseSince = this.now();
      return;
    }
    await this.close();
  }

  private abandon(): void {
    this.abandoned++;
    this.round++;
    this.current = this.open();
  }

  private async close(): Promise<void> {
    try {
      const { sum, survivors, dropped } = await this.current.close();
      const fed = this.o.federation;
      if (fed) {
        // The federation adds the noise and moves the table; until its round closes, no new round here.
        this.waitingOn = fed.round;
        await fed.contribute(fed.round, sum, survivors.length);
        this.history.push({
          round: this.round,
          survivors: survivors.length,
          dropped: dropped.length,
          epsilon: fed.epsilon,
        });
        this.phase = 'wait';
        this.phaseSince = this.now();
        return;
      }
      const r = this.server.apply(sum, survivors.length);
      this.version++;
      this.history.push({
        round: this.round,
        survivors: survivors.length,
        dropped: dropped.length,
        epsilon: r.epsilon,
      });
    } catch (e) {
      if (!(e instanceof RoundNotClosedError || e instanceof RejectedRoundError)) throw e;
      this.abandoned++;
    }
    this.round++;
    this.current = this.open();
  }

  get budgetLeft(): boolean {
    if (this.o.federation) {
      // The federation's closer refuses a round past the budget; here: no joins once it is spent.
      const fed = this.o.federation;
      const spent = Number.isFinite(this.o.epsilon) && fed.epsilon >= this.o.epsilon * (1 - 1e-9);
      return !spent && fed.round < this.o.rounds;
    }
    return this.accountant.canSpend() && this.history.length < this.o.rounds;
  }

  join(publicKey: Uint8Array): { round: number; client: number; token: string } {
    if (!this.budgetLeft) throw new FederatedError(410, 'training is over: the privacy budget is spent');
    if (this.phase !== 'register' || this.members.size >= this.o.clientsPerRound)
      throw new FederatedError(409, `round ${this.round} is not taking clients; join the next one`);
    if (publicKey.length !== 65 || publicKey[0] !== 4)
      throw new FederatedError(400, 'publicKey must be a raw uncompressed P-256 key (65 bytes)');
    let client = 0;
    while (client === 0 || this.members.has(client)) client = randomUint31();
    const token = randomToken();
    this.current.register(client, publicKey);
    this.members.set(client, { token, submitted: false });
    if (this.members.size >= this.o.clientsPerRound) this.closeRegistration();
    return { round: this.round, client, token };
  }

  private member(round: number, client: number, token: string): Member {
    if (round !== this.round) throw new FederatedError(410, `round ${round} is over (now ${this.round})`);
    const m = this.members.get(client);
    if (!m || m.token !== token) throw new FederatedError(403, 'unknown client or wrong token');
    return m;
  }

  /** The client's masking neighbours, or undefined while registration is open. */
  peers(
    round: number,
    client: number,
    token: string,
  ): Array<{ id: number; publicKey: Uint8Array }> | undefined {
    this.member(round, client, token);
    if (this.phase === 'register') return undefined;
    return this.current.peersOf(client);
  }

  async submit(round: number, client: number, token: string, masked: Uint32Array): Promise<void> {
    const m = this.member(round, client, token);
    if (this.phase !== 'submit') throw new FederatedError(409, `round ${round} is not taking updates now`);
    if (m.submitted) throw new FederatedError(409, 'update already submitted');
    if (masked.length !== this.length)
      throw new FederatedError(400, `update of ${masked.length} words, expected ${this.length}`);
    this.current.submit(client, masked);
    m.submitted = true;
    if ([...this.members.values()].every((x) => x.submitted)) await this.endSubmission();
  }

  /** The dropped peers whose seeds this client must reveal; undefined while submission is open. */
  unmaskRequest(round: number, client: number, token: string): number[] | undefined {
    if (round < this.round && this.history.some((h) => h.round === round)) return [];
    this.member(round, client, token);
    if (this.phase !== 'unmask') return undefined;
    return this.current.unmaskRequests().get(client) ?? [];
  }

  async reveal(
    round: number,
    client: number,
    token: string,
    seeds: Array<{ peer: number; seed: Uint8Array }>,
  ): Promise<void> {
    this.member(round, client, token);
    if (this.phase !== 'unmask') throw new FederatedError(409, `round ${round} is not unmasking`);
    const asked = new Set(this.current.unmaskRequests().get(client) ?? []);
    for (const s of seeds) {
      // Only seeds shared with peers that dropped: a seed with a survivor would unmask it.
      if (!asked.has(s.peer)) throw new FederatedError(400, `peer ${s.peer} was not requested`);
      if (s.seed.length !== 32) throw new FederatedError(400, 'a seed is 32 bytes');
    }
    this.current.reveal(client, seeds);
    this.revealedBy.add(client);
    if ([...this.current.unmaskRequests().keys()].every((id) => this.revealedBy.has(id))) {
      this.revealedBy.clear();
      await this.close();
    }
  }

  private readonly revealedBy = new Set<number>();
}

function randomUint31(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! >>> 1;
}

function randomToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function randomTable(length: number): Float32Array {
  const words = crypto.getRandomValues(new Uint32Array(length));
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (words[i]! / 2 ** 32 - 0.5) * 0.2;
  return out;
}

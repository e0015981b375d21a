/**
 * A node's model lifecycle: the router the engine decides through (live
 * overlay on production, a candidate's shadow or canary), the events that
 * feed both, and the registry moves a rollout ends with — promote the
 * candidate to production when it wins with its guardrails held, clear it
 * (a rollback: production never moved) when a guardrail breaks, retire it
 * when nothing was shown after `maxVisitors` (or a plain shadow reached
 * `maxShadowDecisions`: a shadow never promotes, it has no clicks).
 *
 * Each node counts the visitors it served and publishes its counts
 * (`share`, over the bus: lifecycle-bus.ts); every node judges the sums of
 * all nodes' counts (rollout/tallies.ts). The first to conclude moves the
 * aliases by a compare-and-set on the candidate alias; another node that
 * concludes too finds the alias moved and changes nothing (its outcome says
 * `applied: false`), and every node stops its rollout when its next `check`
 * finds the candidate alias gone. Events go to the bus too, so each node's
 * live counts and click credits see every node's traffic.
 *
 * A canary visitor is ranked by the candidate's session ranker (prepared in
 * the background when the rollout starts; until it is ready, and for a
 * candidate without one, by none: its neighbour lists), never by
 * production's: the route carries it (model-router.ts).
 *
 * Runtime-agnostic: timers and the event tap are the host's (the Node app
 * wires them in runtimes/node/model-lifecycle.ts).
 * @module
 */
import type { CatalogItem } from '../core/config.js';
import type { EngineModels } from '../core/engine-api.js';
import type { ModelRouter, RoutedDecision } from '../core/model-router.js';
import type { Logger, ModelStore } from '../core/ports.js';
import { type Artifact, readArtifact } from '../core/recommend/index.js';
import type { SessionRanker } from '../core/recommend/session-ranker-port.js';
import type { LoggedEvent } from '../core/types.js';
import type { ModelLifecycleConfig } from './lifecycle-config.js';
import { LiveModel } from './live/live-model.js';
import { promoteCandidate, retireCandidate } from './rollout/candidate-moves.js';
import type { Verdict } from './rollout/guardrails.js';
import { Rollout } from './rollout/rollout.js';
import type { RolloutReport } from './rollout/tallies.js';

/** What a node tells the others (a bus in a cluster; nothing on a node alone). */
export interface LifecycleShare {
  /** This node's rollout counts, after every look. */
  report(report: RolloutReport): void;
  /** Events this node's log took (never those another node forwarded). */
  events(events: readonly LoggedEvent[]): void;
}

export interface LifecycleOptions {
  /** `rankerFor` prepares the candidate's session ranker; without it a canary visitor is ranked by none. */
  models: Pick<EngineModels, 'swap' | 'route'> & Partial<Pick<EngineModels, 'rankerFor'>>;
  store: ModelStore;
  config: ModelLifecycleConfig;
  catalog: ReadonlyMap<string, CatalogItem>;
  /** The site's recommendation slots: clicks in them are recommendation clicks. */
  recSlots: readonly string[];
  logger: Logger;
  now?: () => number;
  /** Metrics: the canary's share of traffic (0 when none), and each rollback. */
  onShare?: (share: number) => void;
  onRollback?: () => void;
  /** This node's id; its rollout counts are published as `<node>~<random incarnation>`. */
  node?: string;
  /** Other nodes, when there are: set now or later (`share(...)`). */
  share?: LifecycleShare;
  /** This node moved production to a candidate (the host announces it to the other nodes). */
  onPromoted?: (version: string) => void;
}

/** How a rollout ended, with the visitors it had seen on each side. */
export interface RolloutOutcome {
  candidate: string;
  action: Exclude<Verdict['action'], 'continue'>;
  reason: string;
  /** The visitors the verdict was judged on: every node's, summed. */
  visitors: { production: number; candidate: number; total: number };
  at: number;
  /** Whether this node moved the aliases (false: another node's verdict, or an operator's move, came first). */
  applied: boolean;
  /** Node processes whose counts the verdict summed. */
  replicas: number;
}

const OUTCOMES_KEPT = 10;

export class ModelLifecycle {
  readonly live: LiveModel | undefined;
  private rollout: Rollout | undefined;
  private candidateBytes: ArrayBuffer | undefined;
  /** The candidate's session ranker: undefined while it is prepared, null when it has none. */
  private candidateRanker: SessionRanker | null | undefined;
  private candidateRankerReady: Promise<string | undefined> = Promise.resolve(undefined);
  private acting: Promise<RolloutOutcome | undefined> | undefined;
  readonly outcomes: RolloutOutcome[] = [];
  private readonly recSlots: ReadonlySet<string>;
  private readonly now: () => number;
  /** This process's name in the cluster's rollout counts: a restart is a new replica, never a smaller count. */
  readonly replica: string;
  private shared: LifecycleShare | undefined;

  constructor(private readonly o: LifecycleOptions) {
    this.now = o.now ?? Date.now;
    this.replica = `${o.node ?? 'node-1'}~${crypto.randomUUID().slice(0, 8)}`;
    this.shared = o.share;
    this.recSlots = new Set(o.recSlots);
    this.live = o.config.live.enabled ? new LiveModel(o.catalog, o.config.live, this.now) : undefined;
    o.models.route(this.router());
  }

  private router(): ModelRouter {
    const lifecycle = this;
    const decided = (d: RoutedDecision) => {
      const r = lifecycle.rollout;
      if (r) r.decided(d, lifecycle.live?.overlay(r.candidate) ?? r.candidate);
    };
    return {
      route: (production, visitor) => {
        const live = this.live;
        live?.production(production);
        const base = live ? live.overlay(production) : production;
        const r = this.rollout;
        if (!r) return { artifact: base, arm: 'production' };
        const route = r.route(base, visitor);
        if (route.arm !== 'candidate') return route;
        return {
          artifact: live ? live.overlay(r.candidate) : route.artifact,
          arm: route.arm,
          ranker: this.candidateRanker ?? null,
        };
      },
      // Only while a rollout runs: without one, the page path neither times nor reports its decision.
      get decided() {
        return lifecycle.rollout ? decided : undefined;
      },
      failed: () => this.rollout?.failed(),
    };
  }

  /** Connects this node to the others (the bus wiring calls it once it is subscribed). */
  share(share: LifecycleShare | undefined): void {
    this.shared = share;
  }

  /**
   * Events a log took: this node's (the host's tap; forwarded to the other
   * nodes) or another node's (`remote`, from the bus): live counts, and the
   * rollout's clicks and purchases of the visitors this node served.
   */
  events(fresh: readonly LoggedEvent[], remote = false): void {
    this.live?.observe(fresh);
    const r = this.rollout;
    if (r) for (const e of fresh) r.event(e);
    if (!remote && fresh.length > 0) this.shared?.events(fresh);
  }

  /** Another node's rollout counts. */
  receive(report: RolloutReport): void {
    this.rollout?.merge(report);
  }

  /** The arm a visitor is in now: `candidate` in the canary slice, else `production`. */
  armOf(visitor: string): 'production' | 'candidate' {
    return this.rollout?.inCanary(visitor) ? 'candidate' : 'production';
  }

  /** The candidate in rollout, if any. */
  get candidate(): Artifact | undefined {
    return this.rollout?.candidate;
  }

  /**
   * Resolves once the session ranker of the candidate in rollout is ready
   * (its name), or undefined when it has none: canary visitors are ranked by
   * it from then on.
   */
  rankerReady(): Promise<string | undefined> {
    return this.candidateRankerReady;
  }

  /** Reads the aliases: starts a rollout for a new candidate, stops one whose candidate is gone. */
  async check(): Promise<void> {
    const mode = this.o.config.rollout.mode;
    const { candidate, production } = await this.o.store.aliases();
    const current = this.rollout?.candidate.version;
    if (candidate === current) return;
    if (!candidate || mode === 'off' || candidate === production) {
      this.stop();
      return;
    }
    const bytes = await this.o.store.getVersion(candidate);
    if (!bytes) return;
    const artifact = readArtifact(bytes);
    artifact.indexOf(''); // the id map, built here rather than by a request
    this.candidateBytes = bytes;
    this.rollout = new Rollout(artifact, this.o.config.rollout, this.recSlots, undefined, this.replica);
    this.prepareCandidateRanker(artifact);
    this.o.onShare?.(this.rollout.share);
    this.o.logger.info(
      `[tessera] [models] candidate ${candidate} rolling out (${this.rollout.phase}, share ${this.rollout.share})`,
    );
  }

  private prepareCandidateRanker(artifact: Artifact): void {
    this.candidateRanker = undefined;
    const prepare = this.o.models.rankerFor;
    if (!prepare) {
      this.candidateRanker = null;
      this.candidateRankerReady = Promise.resolve(undefined);
      return;
    }
    this.candidateRankerReady = prepare(artifact).then((ranker) => {
      // A ranker prepared for a candidate that has since been replaced is dropped.
      if (this.rollout?.candidate !== artifact) return undefined;
      this.candidateRanker = ranker ?? null;
      return ranker?.name;
    });
  }

  private stop(): void {
    this.rollout = undefined;
    this.candidateBytes = undefined;
    this.candidateRanker = undefined;
    this.o.onShare?.(0);
  }

  /** One look at the rollout; acts on a verdict. Resolves to how the rollout ended, if it did now. */
  evaluate(): Promise<RolloutOutcome | undefined> {
    if (this.acting) return this.acting;
    const r = this.rollout;
    if (!r) return Promise.resolve(undefined);
    const phase = r.phase;
    const verdict = r.judge();
    if (r.latest) this.shared?.report(r.latest);
    if (r.phase !== phase) this.o.onShare?.(r.share);
    if (verdict.action === 'continue') return Promise.resolve(undefined);
    this.acting = this.act(r, verdict).finally(() => {
      this.acting = undefined;
    });
    return this.acting;
  }

  private async act(r: Rollout, v: Exclude<Verdict, { action: 'continue' }>): Promise<RolloutOutcome> {
    const version = r.candidate.version;
    const bytes = this.candidateBytes;
    // Compare-and-set on the candidate alias: only the first verdict in the cluster moves anything.
    const applied =
      v.action === 'promote'
        ? await promoteCandidate(this.o.store, version)
        : await retireCandidate(this.o.store, version);
    if (applied && v.action === 'promote') {
      if (bytes) this.o.models.swap(bytes);
      this.o.onPromoted?.(version);
    }
    if (applied && v.action === 'rollback') this.o.onRollback?.();
    const seen = r.clusterVisitors();
    const outcome: RolloutOutcome = {
      candidate: version,
      action: v.action,
      reason: v.reason,
      visitors: {
        production: seen.production,
        candidate: seen.candidate,
        total: seen.production + seen.candidate,
      },
      at: this.now(),
      applied,
      replicas: seen.replicas,
    };
    this.outcomes.push(outcome);
    if (this.outcomes.length > OUTCOMES_KEPT) this.outcomes.shift();
    if (this.rollout === r) this.stop();
    const log = v.action === 'promote' ? this.o.logger.info : this.o.logger.warn;
    const by = applied ? '' : ' — already moved by another node or an operator; nothing changed here';
    log.call(this.o.logger, `[tessera] [models] candidate ${version}: ${v.action} (${v.reason})${by}`, {
      visitors: outcome.visitors,
      replicas: outcome.replicas,
    });
    return outcome;
  }

  /** Which ranker orders the canary visitors' slots: the candidate's (name, version), `preparing`, or null (none). */
  private rankerState(): { name: string; version: string | null } | 'preparing' | null {
    const r = this.candidateRanker;
    if (r === undefined) return 'preparing';
    return r && { name: r.name, version: r.version ?? null };
  }

  /** What `/health` shows under `models`. */
  state(): Record<string, unknown> {
    return {
      rollout: this.rollout
        ? { ...this.rollout.toJSON(), ranker: this.rankerState() }
        : { mode: this.o.config.rollout.mode, candidate: null },
      ...(this.outcomes.length > 0 ? { last_rollout: this.outcomes.at(-1) } : {}),
      ...(this.live ? { live: this.live.toJSON() } : {}),
    };
  }
}

/**
 * The model lifecycle of a host without a bus (a Cloudflare Worker isolate):
 * it follows the registry's aliases by polling them, at most once per `ttlMs`,
 * off the request path (the host hands `due()`'s promise to `ctx.waitUntil`).
 * A new production version is read, checked (it parses as an artifact and its
 * bytes hash to the version it is stored as) and swapped in between requests;
 * until then, and for good when the check fails, the version in use keeps
 * serving. A `candidate` is served to its canary share of visitors with the
 * rollout's sticky bucketing (the same visitors `Rollout.inCanary` puts in
 * the canary on a Node node: the test holds them equal), but never judged here: an isolate sees a
 * sliver of the traffic and forgets it when evicted, so its counts could not
 * honestly decide anything. Promotion and rollback stay with the operator
 * (`tessera model`, the admin API) or a Node node judging the same registry.
 *
 * Runtime-agnostic: Web Crypto and the model-store port only.
 * @module
 */
import type { EngineModels } from '../core/engine-api.js';
import { hashUnit } from '../core/experiments/bucket.js';
import type { Logger, ModelAliases, ModelStore } from '../core/ports.js';
import { type Artifact, contentVersion, readArtifact } from '../core/recommend/index.js';
import type { RolloutConfig } from './lifecycle-config.js';

/** How often an isolate reads the aliases by default (one KV read per isolate per period). */
export const DEFAULT_ALIAS_TTL_MS = 10_000;
/** Earlier production versions a cold isolate tries when production itself is refused. */
const FALLBACKS = 3;
const REFUSALS_KEPT = 10;

export interface AliasFollowerOptions {
  store: ModelStore;
  /** Read the aliases at most this often. */
  ttlMs?: number;
  /** The site's `models.rollout`: a candidate is served to `share` of visitors when `mode` is `canary`. */
  rollout: Pick<RolloutConfig, 'mode' | 'share'>;
  logger?: Logger;
  now?: () => number;
}

type Models = Pick<EngineModels, 'current' | 'swap' | 'route'>;

/** A version whose bytes were not an artifact of that version, and why. */
export interface Refusal {
  version: string;
  reason: string;
  at: number;
}

/** Parses `bytes` as the artifact `version` names, or throws saying why not. */
export async function checkedArtifact(bytes: ArrayBuffer, version: string | undefined): Promise<Artifact> {
  const artifact = readArtifact(bytes);
  if (version !== undefined && artifact.version !== version)
    throw new Error(`its header names version ${artifact.version}`);
  const hashed = await contentVersion(bytes);
  if (hashed !== artifact.version)
    throw new Error(`its bytes hash to ${hashed}, not ${artifact.version} (damaged or truncated)`);
  artifact.indexOf(''); // the id map, built here rather than by a request
  return artifact;
}

/** A candidate served to the visitors whose id hashes below `share` (rollout/rollout.ts's seed and hash). */
interface CanarySlice {
  candidate: Artifact;
  share: number;
  seed: string;
}

const inSlice = (c: CanarySlice, visitor: string | undefined) =>
  visitor !== undefined && hashUnit(c.seed, visitor) < c.share;

export class AliasFollower {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private models: Models | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private polling: Promise<void> | undefined;
  private aliases: ModelAliases | undefined;
  private canary: CanarySlice | undefined;
  private readonly refused = new Map<string, Refusal>();
  private lastError: string | undefined;
  private polls = 0;
  private swaps = 0;

  constructor(private readonly o: AliasFollowerOptions) {
    this.ttlMs = o.ttlMs ?? DEFAULT_ALIAS_TTL_MS;
    this.now = o.now ?? Date.now;
  }

  /**
   * The model store the engine loads through: `get` is production's bytes
   * once checked, else the newest earlier production version that passes,
   * else (no alias ever written) the legacy single artifact. A cold isolate
   * thus starts on a good model even when production is broken.
   */
  get store(): ModelStore {
    return { ...this.o.store, get: () => this.firstGood() };
  }

  /** Starts following for the engine's models (after the engine is built). */
  attach(models: Models): void {
    this.models = models;
    this.checkedAt = this.now();
  }

  /** The poll to run after the response when one is due (undefined otherwise); it never throws. */
  due(): Promise<void> | undefined {
    if (!this.models || this.polling || this.now() - this.checkedAt < this.ttlMs) return undefined;
    this.checkedAt = this.now();
    this.polling = this.poll()
      .catch((e: unknown) => {
        // The store could not answer: the isolate keeps what it serves and asks again after the TTL.
        this.lastError = e instanceof Error ? e.message : String(e);
        this.o.logger?.warn(`[tessera] [models] reading the model registry failed: ${this.lastError}`);
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  /** Reads the aliases once: swaps in a new production version, starts or ends a canary. */
  async poll(): Promise<void> {
    const models = this.models;
    if (!models) return;
    const aliases = await this.o.store.aliases();
    this.aliases = aliases;
    this.polls++;
    this.lastError = undefined;
    const target = aliases.production;
    if (target && target !== models.current()?.version && !this.refused.has(target)) {
      const loaded = await this.load(target);
      if (loaded) {
        models.swap(loaded.bytes);
        this.swaps++;
        this.o.logger?.info(`[tessera] [models] now serving production ${target}`);
      }
    }
    await this.followCandidate(models, aliases);
  }

  private async followCandidate(models: Models, a: ModelAliases): Promise<void> {
    const { mode, share } = this.o.rollout;
    const wanted = mode === 'canary' && share > 0 && a.candidate !== a.production ? a.candidate : undefined;
    if (wanted === this.canary?.candidate.version) return;
    if (!wanted || this.refused.has(wanted)) return this.endCanary(models);
    const loaded = await this.load(wanted);
    if (!loaded) return this.endCanary(models);
    // Pure and sticky: the bucketing hash of the visitor id, seeded by the candidate's version (a fresh slice each).
    const canary: CanarySlice = {
      candidate: loaded.artifact,
      share,
      seed: `tessera-model-rollout:${wanted}`,
    };
    this.canary = canary;
    models.route({
      route: (production, visitor) =>
        inSlice(canary, visitor)
          ? { artifact: canary.candidate, arm: 'candidate' }
          : { artifact: production, arm: 'production' },
    });
    this.o.logger?.info(`[tessera] [models] candidate ${wanted} serves a canary share of ${share}`);
  }

  private endCanary(models: Models): void {
    if (!this.canary) return;
    this.canary = undefined;
    models.route(undefined);
  }

  /** The version's bytes and artifact once checked; undefined when absent (not propagated yet) or refused. */
  private async load(version: string): Promise<{ bytes: ArrayBuffer; artifact: Artifact } | undefined> {
    const bytes = await this.o.store.getVersion(version);
    if (!bytes) return undefined;
    try {
      return { bytes, artifact: await checkedArtifact(bytes, version) };
    } catch (e) {
      this.refuse(version, e);
      return undefined;
    }
  }

  private refuse(version: string, e: unknown): void {
    const reason = e instanceof Error ? e.message : String(e);
    this.refused.set(version, { version, reason, at: this.now() });
    if (this.refused.size > REFUSALS_KEPT) this.refused.delete(this.refused.keys().next().value!);
    this.o.logger?.error(`[tessera] [models] model ${version} refused, keeping the one in use: ${reason}`);
  }

  private async firstGood(): Promise<ArrayBuffer | undefined> {
    const a = await this.o.store.aliases();
    this.aliases = a;
    if (!a.production) {
      const legacy = await this.o.store.get();
      if (!legacy) return undefined;
      try {
        await checkedArtifact(legacy, undefined);
        return legacy;
      } catch (e) {
        this.refuse('legacy', e);
        return undefined;
      }
    }
    const tried = [a.production, ...a.history.slice(-FALLBACKS).reverse()];
    for (const version of tried) {
      if (this.refused.has(version)) continue;
      const loaded = await this.load(version);
      if (loaded) return loaded.bytes;
    }
    return undefined;
  }

  /** What `/health` (`models`) and the admin models panel show. */
  state(): Record<string, unknown> {
    const canary = this.canary;
    return {
      follow: {
        ttl_ms: this.ttlMs,
        polls: this.polls,
        swaps: this.swaps,
        checked_at: Number.isFinite(this.checkedAt) ? this.checkedAt : null,
        production: this.aliases?.production ?? null,
        serving: this.models?.current()?.version ?? null,
        refused: [...this.refused.values()],
        ...(this.lastError ? { error: this.lastError } : {}),
      },
      rollout: canary
        ? {
            candidate: canary.candidate.version,
            phase: 'canary',
            share: canary.share,
            judged: false,
            note: 'served here, judged elsewhere: isolates keep no shared counts',
          }
        : { mode: this.o.rollout.mode, candidate: null },
    };
  }
}

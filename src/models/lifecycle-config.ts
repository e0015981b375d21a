/**
 * The site config's `models` section: how a candidate rolls out, whether the
 * served model follows the event stream between retrains, and when full
 * retrains run. Every field is optional; the defaults are the ones below.
 * `site.json` keeps it beside `experiments` (docs/models.md lists it).
 * @module
 */
import * as v from 'valibot';
import { TesseraError } from '../core/errors.js';

export type RolloutMode = 'off' | 'shadow' | 'canary' | 'shadow-then-canary';

export interface RolloutConfig {
  /** `canary`: the candidate serves `share` of visitors; `shadow`: computed beside production, never served. */
  mode: RolloutMode;
  /** Share of visitors (sticky by id) the candidate serves in a canary. */
  share: number;
  /** Share of decisions that also compute the candidate's lists in shadow. */
  shadowSample: number;
  /** Visitors each arm needs before a statistical verdict (promote or roll back on CTR / conversion). */
  minVisitors: number;
  /** Canary visitors after which an undecided candidate is retired (production stays). */
  maxVisitors: number;
  /** Shadow decisions after which a shadow that kept its guardrails moves on to the canary (`shadow-then-canary`). */
  shadowDecisions: number;
  /**
   * Plain `shadow`: the cluster's shadow decisions after which the candidate
   * is retired ("shadow complete"). A shadow never promotes (nothing is
   * served, so there is no click to count); without this bound it would run
   * until a guardrail broke or an operator moved it.
   */
  maxShadowDecisions: number;
  /** False-positive rate of the sequential tests (mSPRT, always valid). */
  alpha: number;
  /** Guardrail: the candidate's decision p99 may be at most this × production's … */
  maxLatencyRatio: number;
  /** … or production's plus this many ms, whichever is larger (sub-ms decisions are noisy). */
  latencySlackMs: number;
  /** Decision latency samples each arm needs before the latency guardrail is judged. */
  minLatencySamples: number;
  /** Guardrail: share of the candidate's decisions that may throw. */
  maxErrorRate: number;
}

export interface LiveConfig {
  /** Follow the event stream between retrains (popularity, co-occurrence, successors, new items). */
  enabled: boolean;
  /** How often the live overlay is rebuilt from what arrived, ms. */
  refreshMs: number;
  /** Weight of the live co-occurrence against the trained neighbours' (normalised) scores. */
  weight: number;
  /** Half-life of live counts, ms: what visitors did an hour ago counts half as much. */
  halfLifeMs: number;
}

export interface RetrainConfig {
  /** The off-peak window, local time in `timeZone`, e.g. `02:00-05:00` (crosses midnight if end < start). */
  window?: string;
  /** IANA time zone of the window (default UTC). */
  timeZone: string;
  /** Retrain outside the window once this many new events arrived (0: never). */
  minNewEvents: number;
  /** Train in a worker thread (Node), so pages keep their latency during a retrain. */
  worker: boolean;
  /** Register the retrained model as `candidate` (it rolls out) instead of promoting it at once. */
  asCandidate: boolean;
}

export interface ModelLifecycleConfig {
  rollout: RolloutConfig;
  live: LiveConfig;
  retrain: RetrainConfig;
}

export const DEFAULT_ROLLOUT: RolloutConfig = {
  mode: 'canary',
  share: 0.1,
  shadowSample: 0.1,
  minVisitors: 200,
  maxVisitors: 50_000,
  shadowDecisions: 2000,
  maxShadowDecisions: 10_000,
  alpha: 0.05,
  maxLatencyRatio: 1.5,
  latencySlackMs: 2,
  minLatencySamples: 100,
  maxErrorRate: 0.01,
};

export const DEFAULT_LIVE: LiveConfig = {
  enabled: true,
  refreshMs: 10_000,
  weight: 1,
  halfLifeMs: 3_600_000,
};

export const DEFAULT_RETRAIN: RetrainConfig = {
  timeZone: 'UTC',
  minNewEvents: 0,
  worker: true,
  asCandidate: false,
};

const share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const positive = v.pipe(v.number(), v.minValue(0));

const Schema = v.strictObject({
  rollout: v.exactOptional(
    v.strictObject({
      mode: v.exactOptional(v.picklist(['off', 'shadow', 'canary', 'shadow-then-canary'])),
      share: v.exactOptional(share),
      shadowSample: v.exactOptional(share),
      minVisitors: v.exactOptional(count),
      maxVisitors: v.exactOptional(count),
      shadowDecisions: v.exactOptional(count),
      maxShadowDecisions: v.exactOptional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      alpha: v.exactOptional(v.pipe(v.number(), v.gtValue(0), v.ltValue(1))),
      maxLatencyRatio: v.exactOptional(v.pipe(v.number(), v.minValue(1))),
      latencySlackMs: v.exactOptional(positive),
      minLatencySamples: v.exactOptional(count),
      maxErrorRate: v.exactOptional(share),
    }),
  ),
  live: v.exactOptional(
    v.strictObject({
      enabled: v.exactOptional(v.boolean()),
      refreshMs: v.exactOptional(v.pipe(v.number(), v.minValue(100))),
      weight: v.exactOptional(positive),
      halfLifeMs: v.exactOptional(v.pipe(v.number(), v.gtValue(0))),
    }),
  ),
  retrain: v.exactOptional(
    v.strictObject({
      window: v.exactOptional(
        v.pipe(v.string(), v.regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'expected "HH:MM-HH:MM"')),
      ),
      timeZone: v.exactOptional(
        v.pipe(
          v.string(),
          v.check((tz) => validTimeZone(tz), 'expected an IANA time zone such as "Europe/Berlin"'),
        ),
      ),
      minNewEvents: v.exactOptional(count),
      worker: v.exactOptional(v.boolean()),
      asCandidate: v.exactOptional(v.boolean()),
    }),
  ),
});

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The site's `models` section with defaults; throws a 400 naming each bad field. */
export function parseModelLifecycle(json: unknown): ModelLifecycleConfig {
  const parsed = v.safeParse(Schema, json ?? {});
  if (!parsed.success) {
    const problems = parsed.issues.map(
      (i) => `models.${(i.path ?? []).map((p) => String(p.key)).join('.')}: ${i.message}`,
    );
    throw new TesseraError(400, `[tessera] [models] invalid site config: ${problems.join('; ')}`);
  }
  const o = parsed.output;
  return {
    rollout: { ...DEFAULT_ROLLOUT, ...o.rollout },
    live: { ...DEFAULT_LIVE, ...o.live },
    retrain: { ...DEFAULT_RETRAIN, ...o.retrain },
  };
}

/**
 * The one seam between the served model and whatever a host puts around it:
 * live updates between retrains (an overlay on the production artifact) and
 * a safe rollout (a candidate in shadow, or serving a sticky share of
 * visitors). The core asks the router which artifact a decision uses and
 * tells it how the decision went; every policy (shares, guardrails,
 * statistics, registry moves) lives outside the core, in `src/models/`.
 *
 * A router must answer `route` without I/O or waiting: it runs inside every
 * page decision.
 * @module
 */
import type { Artifact } from './recommend/index.js';
import type { SessionRanker } from './recommend/session-ranker-port.js';
import type { RecommendedItem } from './types.js';

export interface ModelRoute {
  /** The artifact this decision uses. */
  artifact: Artifact | undefined;
  /** Which model that is, for the router's own accounting (`production`, `candidate`). */
  arm: string;
  /**
   * The session ranker of a routed model that is not production (a canary's
   * candidate): a decision is ranked by the model it was made with. Null:
   * that model has no ranker (or it is not ready), so its neighbour lists
   * stand. Undefined: production's ranker, the engine's own.
   */
  ranker?: SessionRanker | null;
}

export type SlotLists = Record<string, RecommendedItem[]>;

/** What a decision made with a routed artifact reports back. */
export interface RoutedDecision {
  visitorId: string | undefined;
  route: ModelRoute;
  /** Time the decision (rules, arms, recommendations) took, ms. */
  ms: number;
  /** The lists served. */
  lists: SlotLists;
  /**
   * The same decision again with another artifact, nothing logged and
   * nothing served (a shadow comparison); returns its lists and its ms.
   */
  again(artifact: Artifact): { lists: SlotLists; ms: number };
}

export interface ModelRouter {
  route(production: Artifact | undefined, visitorId: string | undefined): ModelRoute;
  /**
   * Hears each decision (visitor, route, ms, lists). Undefined when nothing listens (a lifecycle
   * without a rollout): the page path then neither times the decision nor builds the report.
   */
  decided?: ((d: RoutedDecision) => void) | undefined;
  /**
   * Deciding with the routed artifact threw: the visitor is served by the
   * production artifact instead, and the router hears of it (a guardrail).
   */
  failed?(route: ModelRoute, visitorId: string | undefined, error: unknown): void;
}

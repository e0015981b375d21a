/**
 * The shared vocabulary of the engine: events, request context, profiles and
 * decisions. Every module of the core speaks these types; drivers and runtimes
 * only see them through `ports.ts`.
 * @module
 */

/** The event types `/collect` accepts. */
export const EVENT_TYPES = [
  'page',
  'view',
  'click',
  'add_to_cart',
  'purchase',
  'search',
  'scroll',
  'form',
  'dwell',
  'feedback',
  'consent',
  'identify',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One behavioural signal, as the browser sends it (already validated). */
export interface TesseraEvent {
  /** Client-made id; the same id sent twice changes nothing. */
  id: string;
  type: EventType;
  /** Epoch milliseconds. */
  ts: number;
  /** Product id, for item events. */
  item?: string;
  props?: Record<string, unknown>;
}

/** An event as the event log keeps it: pseudonymous visitor id, receiving node. */
export interface LoggedEvent extends TesseraEvent {
  visitor: string;
  node: string;
  /** Epoch ms when the node accepted it. */
  received: number;
}

export type DeviceClass = 'mobile' | 'tablet' | 'desktop' | 'bot';

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

/** Everything a decision may know about the request, before any profile. */
export interface DecisionContext {
  method: string;
  path: string;
  /** Parsed once; lower-case names. */
  cookies: Record<string, string>;
  device: DeviceClass;
  country?: string;
  region?: string;
  city?: string;
  /** Primary language tag from Accept-Language, lower-case (`de`, `en-gb`). */
  language?: string;
  /** IANA time zone from edge headers, when known. */
  timezone?: string;
  /** Hour of day 0-23 in the visitor's time zone (UTC when unknown). */
  localHour: number;
  referrer?: string;
  /** Host part of the referrer, lower-case, when it is another site. */
  referrerHost?: string;
  utm: Utm;
  /** Sec-GPC: 1 */
  gpc: boolean;
  /** DNT: 1 */
  dnt: boolean;
  /** Epoch ms of the decision. */
  now: number;
}

/** Consent categories a visitor can grant. `necessary` is always true. */
export interface ConsentState {
  necessary: true;
  personalization: boolean;
  analytics: boolean;
}

/** A hybrid logical clock timestamp: physical ms, logical counter, node id. */
export interface Hlc {
  /** Physical time, epoch ms. */
  p: number;
  /** Logical counter for events within the same ms. */
  l: number;
  /** Node id, the final tie breaker. */
  n: string;
}

/** Last-writer-wins register on the hybrid logical clock. */
export interface LwwRegister<T> {
  v: T;
  at: Hlc;
}

/**
 * Affinity kinds. Keys in `Profile.affinities` are `<kind>:<value>`,
 * e.g. `item:sku-12`, `category:running`, `brand:acme`, `tag:trail`.
 */
export type AffinityKind = 'item' | 'category' | 'brand' | 'tag';

/** One entry of the bounded recent-items list. */
export interface RecentItem {
  item: string;
  type: EventType;
  at: Hlc;
}

/**
 * The bounded, mergeable visitor profile (a state-based CRDT).
 * merge(a, b) is commutative, associative and idempotent; the encoded size
 * never exceeds PROFILE_MAX_BYTES.
 */
export interface Profile {
  /** Format version. */
  v: 1;
  /**
   * Forward-decay landmark (epoch ms) that the stored sums are relative to;
   * merge rescales the older landmark to the newer one.
   */
  landmark: number;
  /**
   * Half-life (ms) the decayed sums were accumulated with. Merge needs it to
   * rescale an older landmark to a newer one; absent until the first decayed
   * value is added (or in a profile rebuilt from a cookie digest).
   */
  halfLifeMs?: number;
  /**
   * Forward-decayed counters: key → node → Σ w·e^{(t−landmark)/τ}.
   * Per-node components merge by max, like a G-counter.
   */
  affinities: Record<string, Record<string, number>>;
  /** Event-type counters (forward-decayed, same shape), e.g. `view`, `purchase`. */
  counts: Record<string, Record<string, number>>;
  /** Newest first, union-merged, truncated to PROFILE_LIMITS.recent. */
  recent: RecentItem[];
  /** Declared and zero-party data (survey answers, identify traits). */
  traits: Record<string, LwwRegister<string | number | boolean>>;
  consent?: LwwRegister<{ personalization: boolean; analytics: boolean }>;
  /** Known user id this anonymous profile is linked to (identify). */
  userId?: LwwRegister<string>;
  /** Impressions per item or placement, node → count (fatigue caps). */
  exposures: Record<string, Record<string, number>>;
  /** Negative feedback: key (`item:x`, `category:y`) → expiry epoch ms; merge by max. */
  suppressions: Record<string, number>;
  /** Short hashes of applied event ids, for idempotent apply across replicas. */
  seen: string[];
  /** Erasure: when set, the profile is empty and this wins every merge. */
  erasedAt?: number;
}

/** The digest that travels in the encrypted profile cookie. */
export interface ProfileDigest {
  /** Top affinities, decayed to `at`: key → value. */
  top: Record<string, number>;
  /** Last item ids, newest first. */
  last: string[];
  /** Segment ids the visitor was in at `at`. */
  segments: string[];
  /** Suppressed keys still active at `at`. */
  suppressed: string[];
  /** Epoch ms when the digest was made. */
  at: number;
}

/** Why a slot got what it got; one line per step, for the decision trace. */
export interface TraceEntry {
  step: string;
  detail: string;
  /** The step's particulars as data (the rule that matched, each item's sources), for the debug view. */
  data?: Record<string, unknown>;
}

export interface RecommendedItem {
  item: string;
  score: number;
  /** Human reason, e.g. "because you viewed sku-1". */
  reason: string;
}

/** The output of `decide`: what every slot shows, and why. */
export interface Decision {
  /** Segment ids the visitor is in. */
  segments: string[];
  /** Experiment key → arm. */
  arms: Record<string, string>;
  /** Slot name → content id chosen by slot rules. */
  content: Record<string, string>;
  /** Slot name → recommended items. */
  recommendations: Record<string, RecommendedItem[]>;
  /** Variant cache key: from segments, arms and the context values the content used, never from the visitor id. */
  cacheKey: string;
  /** Request context fields the page depended on (their headers go to Vary; see cache/context-dependence.ts). */
  contextFields: string[];
  /** True when the decision used a profile (consent given and one exists). */
  personalized: boolean;
  /**
   * True when the recommendation lists drew on what the visitor did (a
   * history, and no arm that shows popular lists): their title says "for you".
   */
  listsForVisitor: boolean;
  /** Why, step by step; empty unless the decision was asked for it (`engine.decide` is). */
  trace: TraceEntry[];
  /**
   * Slot → a longer neighbour-based list for a session ranker to pick from
   * (only when `DecideInput.candidates` asked, for slots the visitor's own
   * clicks feed); see recommend/session-rerank.ts.
   */
  candidates?: Record<string, RecommendedItem[]>;
  /** Experiment arms this decision assigned for the first time (to log once as exposures). */
  exposures?: Array<{ experiment: string; arm: string; segment: string }>;
}

/**
 * Site and engine configuration: the catalog, segment rules, slot rules and
 * experiments a site declares, plus engine settings (consent mode, secrets,
 * budgets). Plain JSON-able data, so the same file drives every runtime.
 * @module
 */
import type { DecisionContext } from './types.js';

/** One product of the catalog (`catalog.json`). */
export interface CatalogItem {
  id: string;
  title: string;
  category: string;
  brand: string;
  price: number;
  tags: string[];
  in_stock: boolean;
  /** Optional image URL or path. */
  image?: string;
}

/** Durations in rules: milliseconds, or a string like `30m`, `12h`, `7d`. */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd'}`;

/** Numeric comparison; every given bound must hold. */
export interface Compare {
  eq?: number | string | boolean;
  neq?: number | string | boolean;
  in?: Array<string | number>;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/**
 * The JSON rule language. Compiled once into predicates.
 *
 * - `{ "all": [...] }`, `{ "any": [...] }`, `{ "not": rule }`
 * - `{ "context": "country", "in": ["DE", "AT"] }` (any DecisionContext field; `utm.source` for UTM)
 * - `{ "trait": "shoe_size", "gte": 42 }`
 * - `{ "affinity": "category:running", "gte": 2 }` (decayed value now)
 * - `{ "top": "category", "eq": "running" }` (strongest key of that kind)
 * - `{ "count": "view", "within": "7d", "gte": 3 }` (events of a type in a window; optional `"category"`)
 * - `{ "recency": "purchase", "within": "30d" }` (last event of that type is that recent)
 * - `{ "segment": "runners" }` (membership of another segment)
 * - `{ "consent": "personalization" }`
 */
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | ({ context: ContextField } & Compare)
  | ({ trait: string } & Compare)
  | ({ affinity: string } & Compare)
  | ({ top: 'item' | 'category' | 'brand' | 'tag' } & Compare)
  | ({ count: string; within: Duration; category?: string } & Compare)
  | { recency: string; within: Duration }
  | { segment: string }
  | { consent: 'personalization' | 'analytics' };

export type ContextField =
  | Exclude<keyof DecisionContext, 'cookies' | 'utm' | 'now'>
  | `utm.${'source' | 'medium' | 'campaign' | 'term' | 'content'}`;

export interface SegmentDef {
  id: string;
  description?: string;
  rule: Rule;
}

/** A content slot chosen by rules: the first matching rule wins, else the default. */
export interface ContentSlotDef {
  kind: 'content';
  rules: Array<{ when: Rule; content: string }>;
  default: string;
}

/** A recommendations slot filled per visitor. */
export interface RecommendationSlotDef {
  kind: 'recommendations';
  /** How many items. */
  count: number;
  /** Optional title shown above a list made for the visitor. */
  title?: string;
  /** The title when the list is not personalized (no profile: popular and context lists); default `title`. */
  anonymousTitle?: string;
  /**
   * Largest share of the list given to exploration (good candidates just below the cut, picked at
   * random per visitor and day), 0 to 0.5; rounded down, so 0.1 is 1 of 10. Default 0.1; 0 turns it off.
   */
  exploration?: number;
}

export type SlotDef = ContentSlotDef | RecommendationSlotDef;

/** Which recommender fills the recommendation slots for an arm. */
export type RecommenderStrategy = 'personalized' | 'popular';

export interface VariantDef {
  key: string;
  weight?: number;
  /** Slot name → content id for this arm. */
  content?: Record<string, string>;
  /** Slot name → replacement rules for that content slot. */
  slots?: Record<string, { rules: Array<{ when: Rule; content: string }>; default: string }>;
  /** `popular` fills recommendation slots without the profile (default `personalized`). */
  strategy?: RecommenderStrategy;
}

export interface ExperimentDef {
  key: string;
  /** Only visitors matching this rule enter; others get no arm. */
  targeting?: Rule;
  /** Share of eligible traffic in the experiment, 0..1 (default 1). */
  traffic?: number;
  /** Arms with weights (normalised). The first is the control. */
  variants: VariantDef[];
  /** Share of entering visitors held out on the site defaults (arm `holdout`), 0..1 (default 0). */
  holdout?: number;
  /** `paused` assigns nobody (default `running`). */
  status?: 'running' | 'paused';
  /** A promoted variant: everybody gets it, nobody is bucketed or counted. */
  promoted?: string;
  /** Promote the winner when the sequential test concludes (default false). */
  autoPromote?: boolean;
  /** `thompson`: a bandit shifts traffic per segment to what converts (default `hash`). */
  allocation?: 'hash' | 'thompson';
  /** Bandits: least share of traffic spread uniformly over arms (default 0.1). */
  explore?: number;
}

/**
 * What personal data the site lets Tessera keep. Everything defaults to the
 * strictest choice: no form values, no search terms, every identify trait
 * pseudonymized.
 */
export interface SitePrivacy {
  /** Form fields (by name) whose typed value may be kept; others keep field name and kind only. Never passwords. */
  formFields?: string[];
  /** Identify traits that are not personal (a plan, a shoe size) and stay in clear; every other trait is pseudonymized. */
  traits?: string[];
  /** Keep a normalized, bounded search term (default false: only that a search happened and its length). */
  searchTerms?: boolean;
  /** Most events logged per visitor per day on a node (default 2,000); more still update the profile. */
  maxEventsPerDay?: number;
}

export interface SiteConfig {
  /** Site name, shown by the CLI and the dashboard. */
  name: string;
  segments: SegmentDef[];
  slots: Record<string, SlotDef>;
  experiments?: ExperimentDef[];
  /**
   * Routes whose path names an item: a `view` of that item is implied when
   * the page is served. `{ "prefix": "/product/" }` → `/product/<id>`.
   */
  itemRoute?: { prefix: string };
  /** Content fragments by id (HTML); slot rules and experiment variants name these ids. */
  content?: Record<string, string>;
  /**
   * HTML for one recommended item, with `{{id}} {{title}} {{price}}
   * {{category}} {{brand}} {{image}} {{reason}}` placeholders.
   */
  itemTemplate?: string;
  /** Which personal data may be kept (see `SitePrivacy`). */
  privacy?: SitePrivacy;
}

export type ConsentMode = 'opt-in' | 'opt-out';

export interface EngineSettings {
  /** Node id; appears in HLC timestamps and affinity components. */
  nodeId: string;
  /** Secret for cookie signatures and cookie encryption (≥ 32 chars). */
  secret: string;
  /** `opt-in`: nothing stored before consent. `opt-out`: stored unless declined or GPC. */
  consentMode: ConsentMode;
  /** Time budget for a store read during a decision, ms. */
  storeBudgetMs: number;
  /** Largest accepted `/collect` body, bytes. */
  maxBodyBytes: number;
  /** Most events per batch. */
  maxBatch: number;
  /** Affinity half-life, ms. */
  halfLifeMs: number;
  /** Cookie names. */
  cookies: { id: string; consent: string; profile: string };
  /** Edge geo header names to honour besides the built-in ones. */
  geoHeaders?: { country?: string; region?: string; city?: string; timezone?: string };
  /** Mark cookies Secure (set false for plain-http localhost). */
  secureCookies: boolean;
}

export const DEFAULT_SETTINGS: Omit<EngineSettings, 'secret'> = {
  nodeId: 'node-1',
  consentMode: 'opt-in',
  storeBudgetMs: 15,
  maxBodyBytes: 64 * 1024,
  maxBatch: 100,
  halfLifeMs: 3 * 24 * 3600 * 1000,
  cookies: { id: 'tsr_id', consent: 'tsr_consent', profile: 'tsr_p' },
  secureCookies: false,
};

/** Parse a Duration to milliseconds. */
export function durationMs(d: Duration): number {
  if (typeof d === 'number') return d;
  const n = Number.parseFloat(d);
  const unit = d[d.length - 1];
  const mult = unit === 's' ? 1e3 : unit === 'm' ? 6e4 : unit === 'h' ? 3.6e6 : 8.64e7;
  return n * mult;
}

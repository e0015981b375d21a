/**
 * The pure evaluation core: given the request context, the profile, the
 * compiled site and the model, choose every slot and say why. No I/O, no
 * clock of its own, nothing per visitor cached here.
 * @module
 */

import { contextDependence, contextFieldsOfRules, listFieldsOf, variantKey } from './cache/index.js';
import { memoPerPair } from './cache/memo-helpers.js';
import type { CatalogItem, SiteConfig } from './config.js';
import type { DecisionMemo } from './decision-memo.js';
import { type ArmEffects, type AssignInput, assignArms } from './experiments/index.js';
import { explainRecommendations } from './recommend/explain.js';
import type { Artifact, RecommendInput } from './recommend/index.js';
import { recommend } from './recommend/index.js';
import type { RuleInput } from './segments/index.js';
import { compileSegments, compileSlots } from './segments/index.js';
import type { Decision, DecisionContext, Profile, RecommendedItem, TraceEntry } from './types.js';

/** The site config compiled once: rules become closures. */
export interface CompiledSite {
  site: SiteConfig;
  segments: ReturnType<typeof compileSegments>;
  slots: ReturnType<typeof compileSlots>;
  catalog: ReadonlyMap<string, CatalogItem>;
  contentSlots: string[];
  recSlots: string[];
  /** Context fields rules read: directly by content slots (in arms too), and by segments. */
  contextFields: { content: string[]; segments: string[] };
}

export function compileSite(site: SiteConfig, catalog: readonly CatalogItem[]): CompiledSite {
  const byId = new Map<string, CatalogItem>();
  for (const item of catalog) byId.set(item.id, item);
  const contentSlots: string[] = [];
  const recSlots: string[] = [];
  for (const [name, def] of Object.entries(site.slots))
    (def.kind === 'content' ? contentSlots : recSlots).push(name);
  return {
    site,
    segments: compileSegments(site.segments),
    slots: compileSlots(site.slots),
    catalog: byId,
    contentSlots,
    recSlots,
    contextFields: {
      content: contextFieldsOfRules(site.slots, site.experiments),
      segments: contextFieldsOfRules(site.segments.map((seg) => seg.rule)),
    },
  };
}

export interface DecideInput {
  ctx: DecisionContext;
  /** Undefined without consent or without history. */
  profile: Profile | undefined;
  /** The visitor id used for bucketing; undefined without consent. */
  visitorId: string | undefined;
  compiled: CompiledSite;
  artifact: Artifact | undefined;
  halfLifeMs: number;
  /** Items not to recommend on this page (the product being viewed). */
  exclude?: ReadonlySet<string>;
  /** Memberships already computed for this profile version, when the caller has them. */
  segments?: string[];
  /** Reuse of recommendation lists for an unchanged profile (see decision-memo.ts). */
  memo?: DecisionMemo;
  /** Arm assignment with the node's overrides, memory and bandits (default: the site's definitions as written). */
  assignArms?: (input: Omit<AssignInput, 'experiments' | 'remembered' | 'bandit'>) => ArmEffects;
  /**
   * Say why, step by step (`Decision.trace`). Off on the page path: the
   * trace's strings cost more than some of the steps they describe, and
   * only `engine.decide` callers read them.
   */
  trace?: boolean;
  /**
   * Also build, per slot the visitor's clicks feed, a neighbour-based list
   * this long for a session ranker (`Decision.candidates`). Set only when a
   * ranker is loaded: without one, decide() does no extra work.
   */
  candidates?: number;
}

/**
 * Everything besides the profile that a recommendation list depends on: the
 * slot, the arm's strategy, the model, the page's exclusions, the segments,
 * the context that cold-start lists read, and the day (exploration's seed).
 */
function recommendationKey(
  slot: string,
  strategy: string,
  model: string,
  input: DecideInput,
  segments: readonly string[],
): string {
  const c = input.ctx;
  const exclude = input.exclude ? [...input.exclude].join(',') : '';
  const day = Math.floor(c.now / 86_400_000);
  return `${slot}|${strategy}|${model}|${exclude}|${segments.join(',')}|${c.device}|${c.country ?? ''}|${c.localHour}|${c.referrerHost ?? ''}|${c.utm.source ?? ''}|${c.utm.campaign ?? ''}|${day}`;
}

export function decide(input: DecideInput): Decision {
  const { ctx, profile, compiled, artifact } = input;
  const trace: TraceEntry[] = [];
  const tracing = input.trace === true;
  const base = { ctx, profile, now: ctx.now, halfLifeMs: input.halfLifeMs };
  const segments = input.segments ?? compiled.segments.evaluate(base);
  const segSet = new Set(segments);
  // Written out, not `{ ...base, segments }`: on Node 20 a spread followed by a property costs
  // the better part of a microsecond, several times per page (see docs/benchmarks.md).
  const ruleInput: RuleInput = {
    ctx,
    profile,
    now: ctx.now,
    halfLifeMs: input.halfLifeMs,
    segments: segSet,
  };
  if (tracing)
    trace.push({
      step: 'segments',
      detail: segments.length ? segments.join(',') : '(none)',
      data: { matched: segments.map((id) => segmentRule(compiled.site, id)) },
    });

  // Without a trace, no trace lines made for the arms either.
  const assignInput = { visitorId: input.visitorId, rules: ruleInput, profile, segments, trace: tracing };
  const effects = input.assignArms
    ? input.assignArms(assignInput)
    : assignArms({ ...assignInput, experiments: compiled.site.experiments ?? [] });
  const { arms, content: armContent, slotRules } = effects;
  if (tracing) for (const detail of effects.trace) trace.push({ step: 'experiment', detail });

  const content: Record<string, string> = {};
  for (const slot of compiled.contentSlots) {
    const forced = armContent[slot];
    if (forced !== undefined) {
      content[slot] = forced;
      if (tracing)
        trace.push({
          step: `slot:${slot}`,
          detail: `${forced} (experiment arm)`,
          data: { by: 'experiment arm' },
        });
      continue;
    }
    const chosen = (slotRules[slot] ?? compiled.slots).chooseContent(slot, ruleInput);
    if (!chosen) continue;
    content[slot] = chosen.content;
    if (!tracing) continue;
    const rules = slotRules[slot] ? 'experiment arm' : 'site';
    trace.push({
      step: `slot:${slot}`,
      detail: chosen.rule < 0 ? `${chosen.content} (default)` : chosen.content,
      data:
        chosen.rule < 0
          ? { by: 'default', rules }
          : {
              by: 'rule',
              rules,
              rule: chosen.rule,
              when: contentRule(compiled.site, slot, chosen.rule, rules),
            },
    });
  }

  const recommendations: Record<string, RecommendedItem[]> = {};
  const candidates: Record<string, RecommendedItem[]> = {};
  if (artifact) {
    for (const slot of compiled.recSlots) {
      const def = compiled.site.slots[slot];
      if (def?.kind !== 'recommendations') continue;
      // Optional fields set after: conditional spreads (`...(x ? { x } : {})`) build two objects each.
      const recInput: RecommendInput = {
        artifact,
        profile,
        count: def.count,
        now: ctx.now,
        halfLifeMs: input.halfLifeMs,
        segments,
        context: ctx,
      };
      if (input.visitorId !== undefined) recInput.visitorId = input.visitorId;
      if (input.exclude) recInput.exclude = input.exclude;
      if (def.exploration !== undefined) recInput.explorationShare = def.exploration;
      // The `popular` strategy of an experiment arm: the same lists without the visitor.
      const used = effects.strategy === 'popular' ? withoutVisitor(recInput) : recInput;
      const run = () => recommend(used);
      const items =
        input.memo && profile
          ? input.memo.recommendations(
              profile,
              recommendationKey(slot, effects.strategy ?? '', artifact.version, input, segments),
              ctx.now,
              run,
            )
          : run();
      recommendations[slot] = items;
      // The ranker's pool: the same ranking, longer; not for an arm that shows popular lists.
      if (input.candidates && used === recInput && profile && profile.recent.length > 0) {
        const n = Math.max(input.candidates, def.count);
        const long = () => recommend({ ...used, count: n });
        const key = recommendationKey(
          slot,
          `${effects.strategy ?? ''}+pool${n}`,
          artifact.version,
          input,
          segments,
        );
        candidates[slot] = input.memo ? input.memo.recommendations(profile, key, ctx.now, long) : long();
      }
      if (tracing)
        trace.push({
          step: `recs:${slot}`,
          detail: `${items.length} items, model ${artifact.version}`,
          data: {
            model: artifact.version,
            strategy: effects.strategy ?? 'personalized',
            ...explainRecommendations(used, items),
          },
        });
    }
  } else if (tracing) {
    trace.push({ step: 'recs', detail: 'no model loaded: default slot content kept' });
  }

  const personalized = profile !== undefined;
  const listsForVisitor = personalized && effects.strategy !== 'popular' && hasHistory(profile);
  // Without the visitor, recommendation lists come from the request context (cold-start lists).
  const listFields =
    artifact && compiled.recSlots.length > 0 && input.visitorId === undefined && !profile
      ? listFieldsOf(artifact.contextNames)
      : [];
  const keyFields =
    listFields.length === 0
      ? compiled.contextFields.content
      : joinedFields(compiled.contextFields.content, listFields);
  const context = contextDependence(ctx, keyFields, compiled.contextFields.segments);
  return {
    segments,
    arms,
    content,
    recommendations,
    cacheKey: variantKey({ path: ctx.path, segments, arms, personalized, contextKeys: context.keys }),
    contextFields: context.fields,
    personalized,
    listsForVisitor,
    trace,
    ...(effects.exposures.length ? { exposures: effects.exposures } : {}),
    ...(input.candidates ? { candidates } : {}),
  };
}

/** Per content fields (the compiled site's) and list fields (the model's, memoized): both lists joined, once. */
const joinedFields = memoPerPair((content, listFields) => [...content, ...listFields]);

/**
 * The recommender's input without the visitor's tastes: popularity and
 * request context only. Negative feedback and fatigue still apply — a
 * "not interested" is honoured in every arm.
 */
function withoutVisitor<
  T extends { profile: Profile | undefined; segments: readonly string[]; visitorId?: string },
>(input: T): T {
  const { visitorId: _unused, ...rest } = input;
  const p = input.profile;
  const filtersOnly = p ? { ...p, recent: [], affinities: {}, counts: {} } : undefined;
  return { ...rest, profile: filtersOnly, segments: [] } as unknown as T;
}

/** Something the visitor did that lists can draw on: a recent item or an affinity (a like, say). */
function hasHistory(p: Profile): boolean {
  if (p.recent.length > 0) return true;
  for (const _ in p.affinities) return true;
  return false;
}

/** A matched segment as the trace shows it: its id, description and rule as written. */
function segmentRule(site: SiteConfig, id: string): Record<string, unknown> {
  const seg = site.segments.find((s) => s.id === id);
  return { id, ...(seg?.description ? { description: seg.description } : {}), rule: seg?.rule };
}

/** The `when` of the content rule that chose a slot (the site's, unless an arm replaced them). */
function contentRule(site: SiteConfig, slot: string, rule: number, from: string): unknown {
  if (from !== 'site') return undefined;
  const def = site.slots[slot];
  return def?.kind === 'content' ? def.rules[rule]?.when : undefined;
}

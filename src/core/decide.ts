/**
 * The pure evaluation core: given the request context, the profile, the
 * compiled site and the model, choose every slot and say why. No I/O, no
 * clock of its own, nothing per visitor cached here.
 * @module
 */

import { variantKey } from './cache/index.js';
import type { CatalogItem, SiteConfig } from './config.js';
import { assignArm } from './experiments/index.js';
import type { Artifact } from './recommend/index.js';
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
}

export function decide(input: DecideInput): Decision {
  const { ctx, profile, compiled, artifact } = input;
  const trace: TraceEntry[] = [];
  const base = { ctx, profile, now: ctx.now, halfLifeMs: input.halfLifeMs };
  const segments = input.segments ?? compiled.segments.evaluate(base);
  const segSet = new Set(segments);
  const ruleInput: RuleInput = { ...base, segments: segSet };
  trace.push({ step: 'segments', detail: segments.length ? segments.join(',') : '(none)' });

  const arms: Record<string, string> = {};
  const armContent: Record<string, string> = {};
  for (const exp of compiled.site.experiments ?? []) {
    if (!input.visitorId) break;
    const arm = assignArm(exp, input.visitorId, ruleInput);
    if (arm === undefined) continue;
    arms[exp.key] = arm;
    const variant = exp.variants.find((v) => v.key === arm);
    if (variant?.content) Object.assign(armContent, variant.content);
    trace.push({ step: 'experiment', detail: `${exp.key}=${arm}` });
  }

  const content: Record<string, string> = {};
  for (const slot of compiled.contentSlots) {
    const forced = armContent[slot];
    if (forced !== undefined) {
      content[slot] = forced;
      trace.push({ step: `slot:${slot}`, detail: `${forced} (experiment arm)` });
      continue;
    }
    const chosen = compiled.slots.chooseContent(slot, ruleInput);
    if (!chosen) continue;
    content[slot] = chosen.content;
    trace.push({
      step: `slot:${slot}`,
      detail: chosen.rule < 0 ? `${chosen.content} (default)` : chosen.content,
    });
  }

  const recommendations: Record<string, RecommendedItem[]> = {};
  if (artifact) {
    for (const slot of compiled.recSlots) {
      const def = compiled.site.slots[slot];
      if (def?.kind !== 'recommendations') continue;
      const recInput = {
        artifact,
        profile,
        count: def.count,
        now: ctx.now,
        halfLifeMs: input.halfLifeMs,
        segments,
        context: ctx,
        ...(input.visitorId !== undefined ? { visitorId: input.visitorId } : {}),
        ...(input.exclude ? { exclude: input.exclude } : {}),
      };
      const items = recommend(recInput);
      recommendations[slot] = items;
      trace.push({ step: `recs:${slot}`, detail: `${items.length} items, model ${artifact.version}` });
    }
  } else {
    trace.push({ step: 'recs', detail: 'no model loaded: default slot content kept' });
  }

  const personalized = profile !== undefined;
  return {
    segments,
    arms,
    content,
    recommendations,
    cacheKey: variantKey({ path: ctx.path, segments, arms, personalized }),
    personalized,
    trace,
  };
}

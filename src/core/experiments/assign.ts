/**
 * Which arm of every experiment a visitor is in, and what those arms change.
 *
 * Order for each experiment: a promoted variant applies to everybody; a
 * paused experiment to nobody; a visitor outside the targeting rule gets no
 * arm; a visitor who already has an arm keeps it (sticky: the profile trait
 * `exp.<key>`, written the first time, or this node's memory of the
 * assignment), so identify, traffic changes and reweighting never move
 * anyone; otherwise the holdout draw, then the traffic share, then the hash
 * (or, for a bandit, Thompson sampling in the visitor's segment).
 * @module
 */
import type { ExperimentDef, RecommenderStrategy, VariantDef } from '../config.js';
import type { RuleInput } from '../segments/compile.js';
import { compileSlots, type SlotChooser } from '../segments/slots.js';
import type { Profile } from '../types.js';
import { compiledFor } from './bucket.js';

export const HOLDOUT_ARM = 'holdout';
export const ARM_TRAIT_PREFIX = 'exp.';

/** The trait that keeps a visitor's arm of `key`. */
export function armTrait(key: string): string {
  return `${ARM_TRAIT_PREFIX}${key}`;
}

/** Trait names per experiment key, made once: every page looks them up. */
const traitNames = new Map<string, string>();

/** The arm stored in the profile for `key`, if any. */
export function stickyArm(profile: Profile | undefined, key: string): string | undefined {
  if (profile === undefined) return undefined;
  let trait = traitNames.get(key);
  if (trait === undefined) {
    trait = armTrait(key);
    if (traitNames.size >= 1024) traitNames.clear();
    traitNames.set(key, trait);
  }
  const v = profile.traits[trait]?.v;
  return typeof v === 'string' ? v : undefined;
}

/** Picks an arm for a bandit experiment; the runtime provides it. */
export type BanditChooser = (exp: ExperimentDef, segment: string, visitorId: string) => string;

export interface AssignInput {
  experiments: readonly ExperimentDef[];
  visitorId: string | undefined;
  rules: RuleInput;
  profile: Profile | undefined;
  /** Segment ids, in priority order (the first picks the bandit's posterior). */
  segments: readonly string[];
  /** Arms this node remembers for the visitor (when the profile came from a cookie digest). */
  remembered?: (key: string) => string | undefined;
  bandit?: BanditChooser;
  /** `false`: no `ArmEffects.trace` lines (the page path, which does not read them). */
  trace?: boolean | undefined;
}

export interface Exposure {
  experiment: string;
  arm: string;
  segment: string;
}

export interface ArmEffects {
  /** Experiment key → arm (promoted variants included: they vary the page for all). */
  arms: Record<string, string>;
  /** Slot → content id forced by an arm. */
  content: Record<string, string>;
  /** Slot → replacement rules from an arm. */
  slotRules: Record<string, SlotChooser>;
  strategy: RecommenderStrategy | undefined;
  /** Assignments made by this decision and counted as exposures. */
  exposures: Exposure[];
  trace: string[];
}

const variantSlots = new WeakMap<VariantDef, SlotChooser>();

function slotsOf(variant: VariantDef): SlotChooser | undefined {
  if (!variant.slots) return undefined;
  let chooser = variantSlots.get(variant);
  if (!chooser) {
    const defs: Parameters<typeof compileSlots>[0] = {};
    for (const [slot, s] of Object.entries(variant.slots)) defs[slot] = { kind: 'content', ...s };
    chooser = compileSlots(defs);
    variantSlots.set(variant, chooser);
  }
  return chooser;
}

function known(exp: ExperimentDef, arm: string | undefined): arm is string {
  return arm !== undefined && (arm === HOLDOUT_ARM || exp.variants.some((v) => v.key === arm));
}

export function assignArms(input: AssignInput): ArmEffects {
  const out: ArmEffects = {
    arms: {},
    content: {},
    slotRules: {},
    strategy: undefined,
    exposures: [],
    trace: [],
  };
  const segment = input.segments[0] ?? '*';
  for (const exp of input.experiments) {
    let arm: string | undefined;
    let how = '';
    if (exp.promoted !== undefined && known(exp, exp.promoted)) {
      arm = exp.promoted;
      how = ' (promoted)';
    } else {
      const id = input.visitorId;
      if (id === undefined || exp.status === 'paused') continue;
      const compiled = compiledFor(exp);
      if (compiled.targeting !== undefined && !compiled.targeting(input.rules)) continue;
      const sticky = stickyArm(input.profile, exp.key) ?? input.remembered?.(exp.key);
      if (known(exp, sticky)) {
        arm = sticky;
        how = ' (sticky)';
      } else {
        if ((exp.traffic ?? 1) < 1 && compiled.trafficUnit(id) >= (exp.traffic ?? 1)) continue;
        if ((exp.holdout ?? 0) > 0 && compiled.holdoutUnit(id) < (exp.holdout ?? 0)) arm = HOLDOUT_ARM;
        else if (exp.allocation === 'thompson' && input.bandit) arm = input.bandit(exp, segment, id);
        else arm = compiled.hashArm(id);
        out.exposures.push({ experiment: exp.key, arm, segment });
        how = ' (new)';
      }
    }
    out.arms[exp.key] = arm;
    if (input.trace !== false) out.trace.push(`${exp.key}=${arm}${how}`);
    const variant = exp.variants.find((v) => v.key === arm);
    if (!variant) continue;
    if (variant.content) Object.assign(out.content, variant.content);
    const slots = slotsOf(variant);
    if (slots) for (const s of slots.contentSlots) out.slotRules[s.name] = slots;
    if (variant.strategy) out.strategy = variant.strategy;
  }
  return out;
}

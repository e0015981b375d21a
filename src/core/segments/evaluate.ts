/**
 * Segment membership: every segment rule compiled once, evaluated in
 * dependency order so `{ "segment": id }` sees the answer it refers to.
 * Cycles and unknown references fail at compile time. Segments that never
 * read the request context can be evaluated once per profile and cached.
 * @module
 */
import type { SegmentDef } from '../config.js';
import { TesseraError } from '../errors.js';
import type { DecisionContext } from '../types.js';
import { type CompiledRule, compileRule, type RuleInput } from './compile.js';
import { type AffinityLeaf, affinityLeafOf } from './leaves.js';
import { childPath, rulesError } from './path.js';
import { decayFactorOf, readSum, sumsOf } from './profile-reads.js';

/** What a segment reads, its references followed transitively. */
export interface SegmentInfo {
  id: string;
  /** Depends on the request context: never cache it per profile. */
  usesContext: boolean;
  usesProfile: boolean;
  /** Depends on `now` against profile data: a cached answer goes stale with time. */
  usesClock: boolean;
}

export type SegmentInput = Omit<RuleInput, 'segments'>;
/** Profile-only evaluation needs no request context. */
export type ProfileOnlyInput = Omit<RuleInput, 'segments' | 'ctx'>;

export interface SegmentEvaluator {
  /** One entry per segment, in definition order. */
  readonly segments: readonly SegmentInfo[];
  /**
   * Ids of the segments the input is in, in definition order. With `cached`
   * (a previous `evaluateProfileOnly` answer for the same profile), segments
   * that do not use the context take their membership from it instead of
   * being evaluated again.
   */
  evaluate(input: SegmentInput, cached?: readonly string[]): string[];
  /** Ids of the segments that do not use the context and hold for this profile. */
  evaluateProfileOnly(input: ProfileOnlyInput): string[];
}

interface Compiled {
  index: number;
  id: string;
  usesContext: boolean;
  rule: CompiledRule;
  /** Set when the rule is exactly one affinity leaf: then it is read from the profile's table of sums. */
  affinity: AffinityLeaf | undefined;
}

/** A list of segments to evaluate, and whether any is read from the table of sums. */
interface Plan {
  list: Compiled[];
  readsSums: boolean;
}

function planOf(list: Compiled[]): Plan {
  return { list, readsSums: list.some((c) => c.affinity !== undefined) };
}

/** Order so that every segment comes after the segments it references; reject cycles. */
function topologicalOrder(defs: SegmentDef[], rules: CompiledRule[], byId: Map<string, number>): number[] {
  const order: number[] = [];
  const state = new Uint8Array(defs.length); // 0 new, 1 on the current path, 2 done
  const stack: number[] = [];
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) {
      const cycle = [...stack.slice(stack.indexOf(i)), i].map((j) => defs[j]!.id);
      throw new TesseraError(400, `[tessera] [rules] segments: cycle ${cycle.join(' → ')}`);
    }
    state[i] = 1;
    stack.push(i);
    for (const ref of rules[i]!.refs) visit(byId.get(ref)!);
    stack.pop();
    state[i] = 2;
    order.push(i);
  };
  for (let i = 0; i < defs.length; i++) visit(i);
  return order;
}

export function compileSegments(defs: SegmentDef[]): SegmentEvaluator {
  const byId = new Map<string, number>();
  defs.forEach((def, i) => {
    const path = childPath('segments', i);
    if (typeof def?.id !== 'string' || def.id === '')
      throw rulesError(childPath(path, 'id'), 'expected a non-empty id');
    if (byId.has(def.id)) throw rulesError(childPath(path, 'id'), `duplicate segment id "${def.id}"`);
    byId.set(def.id, i);
  });
  const rules = defs.map((def, i) => {
    const path = childPath(childPath('segments', i), 'rule');
    const rule = compileRule(def.rule, path);
    for (const ref of rule.refs) {
      if (!byId.has(ref)) throw rulesError(path, `unknown segment "${ref}"`);
    }
    return rule;
  });
  const order = topologicalOrder(defs, rules, byId);

  // Dependencies come first in `order`, so their transitive flags are final when read.
  const infos: SegmentInfo[] = new Array(defs.length);
  for (const i of order) {
    const rule = rules[i]!;
    const deps = rule.refs.map((ref) => infos[byId.get(ref)!]!);
    infos[i] = {
      id: defs[i]!.id,
      usesContext: rule.usesContext || deps.some((d) => d.usesContext),
      usesProfile: rule.usesProfile || deps.some((d) => d.usesProfile),
      usesClock: rule.usesClock || deps.some((d) => d.usesClock),
    };
  }
  const compiled: Compiled[] = order.map((i) => ({
    index: i,
    id: infos[i]!.id,
    usesContext: infos[i]!.usesContext,
    rule: rules[i]!,
    affinity: affinityLeafOf(rules[i]!),
  }));
  const all = planOf(compiled);
  const profileOnly = planOf(compiled.filter((c) => !c.usesContext));
  const ids = defs.map((d) => d.id);
  // Without references there is no membership set to keep (see `run`).
  const referenced = rules.some((r) => r.refs.length > 0);
  const member = new Uint8Array(defs.length);
  const noSegments: ReadonlySet<string> = new Set();

  // One input object per evaluator, refilled on each call instead of spread
  // anew: rules run synchronously and keep no reference to it.
  const scratch: RuleInput = {
    ctx: NO_CONTEXT,
    profile: undefined,
    segments: noSegments,
    now: 0,
    halfLifeMs: 0,
    itemCategory: undefined,
  };
  const fill = (input: ProfileOnlyInput, ctx: DecisionContext): RuleInput => {
    scratch.ctx = ctx;
    scratch.profile = input.profile;
    scratch.now = input.now;
    scratch.halfLifeMs = input.halfLifeMs;
    scratch.itemCategory = input.itemCategory;
    scratch.segments = referenced ? new Set<string>() : noSegments;
    return scratch;
  };
  const release = (): void => {
    // Do not keep the last visitor's profile alive through the evaluator.
    scratch.profile = undefined;
    scratch.ctx = NO_CONTEXT;
    scratch.itemCategory = undefined;
    scratch.segments = noSegments;
  };

  const run = (plan: Plan, input: RuleInput, known: ReadonlySet<string> | undefined): string[] => {
    const list = plan.list;
    const p = input.profile;
    // Interest segments are bare affinity leaves: their raw sums come from the
    // profile's table (read from the profile once) and one decay factor for
    // the call, with no closure per segment. The same values as the leaf's.
    let sums: number[] | undefined;
    let factor = 0;
    if (plan.readsSums && p !== undefined) {
      sums = sumsOf(p);
      factor = decayFactorOf(p, input.now, input.halfLifeMs);
    }
    const out: string[] = [];
    const segments = input.segments as Set<string>;
    if (referenced) member.fill(0);
    for (let k = 0; k < list.length; k++) {
      const c = list[k]!;
      const a = c.affinity;
      let holds: boolean;
      if (known !== undefined && !c.usesContext) holds = known.has(c.id);
      else if (a === undefined) holds = c.rule(input);
      else if (sums === undefined) holds = false;
      else {
        let sum = a.slot < sums.length ? sums[a.slot]! : Number.NaN;
        if (Number.isNaN(sum)) sum = readSum(p!, sums, a.slot, a.key);
        const v = sum === 0 ? 0 : sum * factor;
        const b = a.bounds;
        // A number against an interval: compared here, where a call would box the double.
        holds =
          b === undefined
            ? a.test(v)
            : (b.minStrict ? v > b.min : v >= b.min) && (b.maxStrict ? v < b.max : v <= b.max);
      }
      if (!holds) continue;
      // Without references the dependency order is the definition order:
      // members are then pushed as they are found.
      if (!referenced) out.push(c.id);
      else {
        member[c.index] = 1;
        segments.add(c.id);
      }
    }
    if (referenced) for (let i = 0; i < ids.length; i++) if (member[i] === 1) out.push(ids[i]!);
    return out;
  };

  return {
    segments: infos,
    evaluate(input, cached) {
      const known = cached === undefined ? undefined : new Set(cached);
      try {
        return run(all, fill(input, input.ctx), known);
      } finally {
        release();
      }
    },
    evaluateProfileOnly(input) {
      // Profile-only rules never read `ctx` (checked transitively above), so none is needed.
      try {
        return run(profileOnly, fill(input, NO_CONTEXT), undefined);
      } finally {
        release();
      }
    },
  };
}

/** Stands in for the context where no rule reads it; frozen so a mistake fails loudly in tests. */
const NO_CONTEXT: DecisionContext = Object.freeze({
  method: 'GET',
  path: '/',
  cookies: Object.freeze({}),
  device: 'desktop',
  localHour: 0,
  utm: Object.freeze({}),
  gpc: false,
  dnt: false,
  now: 0,
}) as DecisionContext;

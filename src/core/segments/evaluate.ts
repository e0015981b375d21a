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
import { childPath, rulesError } from './path.js';

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
  rule: CompiledRule;
  info: SegmentInfo;
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
  const compiled: Compiled[] = order.map((i) => ({ index: i, rule: rules[i]!, info: infos[i]! }));
  const profileOnly = compiled.filter((c) => !c.info.usesContext);

  const inDefinitionOrder = (member: Uint8Array): string[] => {
    const out: string[] = [];
    for (let i = 0; i < defs.length; i++) if (member[i] === 1) out.push(defs[i]!.id);
    return out;
  };

  return {
    segments: infos,
    evaluate(input, cached) {
      const known = cached === undefined ? undefined : new Set(cached);
      const segments = new Set<string>();
      const member = new Uint8Array(defs.length);
      const ruleInput: RuleInput = { ...input, segments };
      for (const c of compiled) {
        const holds = known !== undefined && !c.info.usesContext ? known.has(c.info.id) : c.rule(ruleInput);
        if (holds) {
          member[c.index] = 1;
          segments.add(c.info.id);
        }
      }
      return inDefinitionOrder(member);
    },
    evaluateProfileOnly(input) {
      const segments = new Set<string>();
      const member = new Uint8Array(defs.length);
      // Profile-only rules never read `ctx` (checked transitively above), so none is needed.
      const ruleInput: RuleInput = { ...input, ctx: NO_CONTEXT, segments };
      for (const c of profileOnly) {
        if (c.rule(ruleInput)) {
          member[c.index] = 1;
          segments.add(c.info.id);
        }
      }
      return inDefinitionOrder(member);
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

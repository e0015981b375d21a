/**
 * The rule compiler: JSON rule → closure, once, at config load. The closures
 * read the request context and profile directly; nothing is re-interpreted
 * per call. Bad rules fail here with a 400 naming the JSON path.
 * @module
 */
import type { Rule } from '../config.js';
import type { DecisionContext, Profile } from '../types.js';
import { COMPARE_KEYS } from './compare.js';
import {
  compileAffinity,
  compileConsent,
  compileContext,
  compileCount,
  compileRecency,
  compileSegmentRef,
  compileTop,
  compileTrait,
  type RuleNode,
} from './leaves.js';
import { childPath, rulesError } from './path.js';

export interface RuleInput {
  ctx: DecisionContext;
  /** Undefined without consent or before the first event: profile leaves are then false. */
  profile: Profile | undefined;
  /** Segments already known to hold (for `{ "segment": id }`). */
  segments: ReadonlySet<string>;
  now: number;
  halfLifeMs: number;
  /** Catalog lookup for `count` with a `category`. */
  itemCategory?: ((id: string) => string | undefined) | undefined;
}

export interface CompiledRule {
  (input: RuleInput): boolean;
  /** Reads the request context: the answer can differ per request. */
  usesContext: boolean;
  /** Reads the profile (traits, affinities, recent events, consent). */
  usesProfile: boolean;
  /** Compares profile data with `now` (windows, decayed values): can change while the profile does not. */
  usesClock: boolean;
  /** Segment ids referenced, in order of appearance, without duplicates. */
  refs: string[];
}

type Json = Record<string, unknown>;
type LeafCompiler = (rule: Json, path: string) => RuleNode;

/** For each rule kind: its compiler and the keys it accepts besides its own. */
const LEAVES: Record<string, { compile: LeafCompiler; keys: ReadonlySet<string> }> = {
  context: { compile: compileContext, keys: COMPARE_KEYS },
  trait: { compile: compileTrait, keys: COMPARE_KEYS },
  affinity: { compile: compileAffinity, keys: COMPARE_KEYS },
  top: { compile: compileTop, keys: COMPARE_KEYS },
  count: { compile: compileCount, keys: new Set([...COMPARE_KEYS, 'within', 'category']) },
  recency: { compile: compileRecency, keys: new Set(['within']) },
  segment: { compile: compileSegmentRef, keys: new Set() },
  consent: { compile: compileConsent, keys: new Set() },
};
const COMBINATORS = ['all', 'any', 'not'];
const KINDS = [...COMBINATORS, ...Object.keys(LEAVES)];

function kindOf(rule: Json, path: string): string {
  const kinds = Object.keys(rule).filter((k) => KINDS.includes(k));
  if (kinds.length === 1) return kinds[0]!;
  if (kinds.length === 0) {
    throw rulesError(
      path,
      `unknown rule shape with keys ${JSON.stringify(Object.keys(rule))} (expected one of ${KINDS.join(', ')})`,
    );
  }
  throw rulesError(path, `a rule has exactly one kind, found ${kinds.join(' and ')}`);
}

function merge(nodes: RuleNode[], test: RuleNode['test']): RuleNode {
  const refs = [...new Set(nodes.flatMap((n) => n.refs))];
  return {
    test,
    usesContext: nodes.some((n) => n.usesContext),
    usesProfile: nodes.some((n) => n.usesProfile),
    usesClock: nodes.some((n) => n.usesClock),
    refs,
  };
}

function compileList(rule: Json, kind: 'all' | 'any', path: string): RuleNode {
  const list = rule[kind];
  const listPath = childPath(path, kind);
  if (!Array.isArray(list)) throw rulesError(listPath, 'expected an array of rules');
  const nodes = list.map((r, i) => compileNode(r, childPath(listPath, i)));
  const tests = nodes.map((n) => n.test);
  // Empty lists follow logic: all of nothing holds, any of nothing does not.
  if (tests.length === 1) return merge(nodes, tests[0]!);
  if (kind === 'all') {
    return merge(nodes, (input) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(input)) return false;
      return true;
    });
  }
  return merge(nodes, (input) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(input)) return true;
    return false;
  });
}

function compileNode(rule: unknown, path: string): RuleNode {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw rulesError(
      path,
      `expected a rule object, got ${Array.isArray(rule) ? 'an array' : JSON.stringify(rule)}`,
    );
  }
  const json = rule as Json;
  const kind = kindOf(json, path);
  const allowed = LEAVES[kind]?.keys ?? new Set<string>();
  for (const key of Object.keys(json)) {
    if (key !== kind && !allowed.has(key)) {
      throw rulesError(childPath(path, key), `unknown operator "${key}" in a "${kind}" rule`);
    }
  }
  if (kind === 'all' || kind === 'any') return compileList(json, kind, path);
  if (kind === 'not') {
    const inner = compileNode(json.not, childPath(path, 'not'));
    const test = inner.test;
    return { ...inner, test: (input) => !test(input) };
  }
  return LEAVES[kind]!.compile(json, path);
}

/**
 * Compile a rule into a predicate. `path` names the rule in error messages
 * (`segments[2].rule`); it defaults to `rule`.
 */
export function compileRule(rule: Rule, path = 'rule'): CompiledRule {
  const node = compileNode(rule, path);
  // The node's own closure, made for this call alone, carries the flags:
  // wrapping it would add a call to every rule on every decision.
  return Object.assign(node.test, {
    usesContext: node.usesContext,
    usesProfile: node.usesProfile,
    usesClock: node.usesClock,
    refs: node.refs,
  });
}

/**
 * Content slots chosen by rules: the first rule (in order) that holds names
 * the content, else the slot's default. Rules are compiled once.
 * @module
 */
import type { SlotDef } from '../config.js';
import { type CompiledRule, compileRule, type RuleInput } from './compile.js';
import { childPath, rulesError } from './path.js';

export interface ContentChoice {
  content: string;
  /** Index of the rule that matched; -1 when the default was used. */
  rule: number;
}

export interface ContentSlotInfo {
  name: string;
  /** Reads the request context (directly or through a segment it names, see `refs`). */
  usesContext: boolean;
  usesProfile: boolean;
  /** Segment ids the rules reference. */
  refs: string[];
}

export interface SlotChooser {
  /** The content slots, in declaration order. */
  readonly contentSlots: readonly ContentSlotInfo[];
  /** The content for a content slot; undefined for an unknown or a recommendations slot. */
  chooseContent(slot: string, input: RuleInput): Readonly<ContentChoice> | undefined;
}

interface CompiledSlot {
  /** Each rule with its answer made up front, so choosing allocates nothing. */
  rules: Array<{ when: CompiledRule; choice: Readonly<ContentChoice> }>;
  fallback: Readonly<ContentChoice>;
}

function contentId(x: unknown, path: string): string {
  if (typeof x !== 'string' || x === '')
    throw rulesError(path, 'expected a content id as a non-empty string');
  return x;
}

export function compileSlots(slots: Record<string, SlotDef>): SlotChooser {
  const compiled = new Map<string, CompiledSlot>();
  const infos: ContentSlotInfo[] = [];
  for (const [name, def] of Object.entries(slots)) {
    if (def.kind !== 'content') continue;
    const path = childPath('slots', name);
    if (!Array.isArray(def.rules)) throw rulesError(childPath(path, 'rules'), 'expected an array');
    const rules = def.rules.map((r, i) => {
      const rulePath = childPath(childPath(path, 'rules'), i);
      const when = compileRule(r.when, childPath(rulePath, 'when'));
      const content = contentId(r.content, childPath(rulePath, 'content'));
      return { when, choice: Object.freeze({ content, rule: i }) };
    });
    const fallback = Object.freeze({ content: contentId(def.default, childPath(path, 'default')), rule: -1 });
    compiled.set(name, { rules, fallback });
    infos.push({
      name,
      usesContext: rules.some((r) => r.when.usesContext),
      usesProfile: rules.some((r) => r.when.usesProfile),
      refs: [...new Set(rules.flatMap((r) => r.when.refs))],
    });
  }

  return {
    contentSlots: infos,
    chooseContent(slot, input) {
      const s = compiled.get(slot);
      if (s === undefined) return undefined;
      const rules = s.rules;
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i]!;
        if (r.when(input)) return r.choice;
      }
      return s.fallback;
    },
  };
}

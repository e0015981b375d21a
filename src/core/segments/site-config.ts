/**
 * Site config validation: the shape with valibot, then what a schema cannot
 * see (rules compile, segment references exist and have no cycles, content
 * ids exist, keys are unique). Every problem is reported with its JSON path,
 * all at once, so one edit-and-retry fixes them all.
 * @module
 */
import * as v from 'valibot';
import type { SiteConfig } from '../config.js';
import { TesseraError } from '../errors.js';
import { compileExperiment } from '../experiments/bucket.js';
import { compileRule } from './compile.js';
import { compileSegments } from './evaluate.js';
import { childPath } from './path.js';

const nonEmpty = v.pipe(v.string(), v.minLength(1, 'expected a non-empty string'));
// Segment ids end up in variant cache keys and headers: keep them plain.
const segmentId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]+$/, 'ids use only letters, digits, "_" and "-"'),
);
// The rule language is checked by the rule compiler, which knows the paths inside a rule.
const rule = v.custom<unknown>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'expected a rule object',
);

const SegmentSchema = v.strictObject({
  id: segmentId,
  description: v.exactOptional(v.string()),
  rule,
});

const ContentSlotSchema = v.strictObject({
  kind: v.literal('content'),
  rules: v.array(v.strictObject({ when: rule, content: nonEmpty })),
  default: nonEmpty,
});

const RecommendationSlotSchema = v.strictObject({
  kind: v.literal('recommendations'),
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
  title: v.exactOptional(v.string()),
  anonymousTitle: v.exactOptional(v.string()),
  exploration: v.exactOptional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.5))),
});

const VariantSchema = v.strictObject({
  key: nonEmpty,
  weight: v.exactOptional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  /** Slot name → content id for this arm. */
  content: v.exactOptional(v.record(v.string(), nonEmpty)),
  /** Slot name → replacement rules for that content slot. */
  slots: v.exactOptional(
    v.record(
      v.string(),
      v.strictObject({
        rules: v.array(v.strictObject({ when: rule, content: nonEmpty })),
        default: nonEmpty,
      }),
    ),
  ),
  strategy: v.exactOptional(v.picklist(['personalized', 'popular'])),
});

const share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const ExperimentSchema = v.strictObject({
  key: nonEmpty,
  targeting: v.exactOptional(rule),
  traffic: v.exactOptional(share),
  variants: v.pipe(v.array(VariantSchema), v.minLength(1, 'expected at least one variant')),
  holdout: v.exactOptional(share),
  status: v.exactOptional(v.picklist(['running', 'paused'])),
  promoted: v.exactOptional(nonEmpty),
  autoPromote: v.exactOptional(v.boolean()),
  allocation: v.exactOptional(v.picklist(['hash', 'thompson'])),
  explore: v.exactOptional(share),
});

const PrivacySchema = v.strictObject({
  formFields: v.exactOptional(v.array(nonEmpty)),
  traits: v.exactOptional(v.array(nonEmpty)),
  searchTerms: v.exactOptional(v.boolean()),
  maxEventsPerDay: v.exactOptional(
    v.pipe(v.number(), v.integer('expected an integer'), v.minValue(1), v.maxValue(1_000_000)),
  ),
});

// Loose at the top level: fields added to SiteConfig later pass through untouched.
const SiteConfigSchema = v.looseObject({
  name: nonEmpty,
  segments: v.exactOptional(v.array(SegmentSchema), () => []),
  slots: v.exactOptional(
    v.record(nonEmpty, v.variant('kind', [ContentSlotSchema, RecommendationSlotSchema])),
    () => ({}),
  ),
  experiments: v.exactOptional(v.array(ExperimentSchema)),
  itemRoute: v.exactOptional(
    v.strictObject({ prefix: v.pipe(v.string(), v.startsWith('/', 'expected a path starting with "/"')) }),
  ),
  content: v.exactOptional(v.record(nonEmpty, v.string())),
  itemTemplate: v.exactOptional(v.string()),
  privacy: v.exactOptional(PrivacySchema),
});

function issuePath(issue: v.BaseIssue<unknown>): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    path = typeof key === 'number' || typeof key === 'string' ? childPath(path, key) : path;
  }
  return path === '' ? '(config)' : path;
}

/** Valibot's defaults, said plainly; our own messages pass through. */
function issueMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.type.endsWith('object') && issue.expected === 'never') return 'unknown key';
  if (issue.type.endsWith('object') && issue.received === 'undefined') return 'missing';
  if (issue.message.startsWith('Invalid '))
    return `expected ${issue.expected} but received ${issue.received}`;
  return issue.message;
}

/** Strip `[tessera] [area] ` so collected problems read as one list. */
function problemOf(e: unknown): string {
  if (e instanceof TesseraError) return e.message.replace(/^\[tessera\] \[[\w-]+\] /, '');
  throw e;
}

function configError(problems: string[]): TesseraError {
  const n = problems.length;
  return new TesseraError(
    400,
    `[tessera] [config] invalid site config (${n} problem${n === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
  );
}

/** Checks a schema cannot express; returns the problems found. */
function semanticProblems(config: SiteConfig): string[] {
  const problems: string[] = [];
  const attempt = (check: () => void): void => {
    try {
      check();
    } catch (e) {
      problems.push(problemOf(e));
    }
  };
  const segmentIds = new Set(config.segments.map((s) => s.id));
  const checkRefs = (refs: string[], path: string): void => {
    for (const ref of refs) if (!segmentIds.has(ref)) problems.push(`${path}: unknown segment "${ref}"`);
  };
  const checkContent = (id: string, path: string): void => {
    if (config.content !== undefined && !Object.hasOwn(config.content, id)) {
      problems.push(`${path}: unknown content id "${id}" (not in "content")`);
    }
  };

  attempt(() => compileSegments(config.segments));

  for (const [name, slot] of Object.entries(config.slots)) {
    if (slot.kind !== 'content') continue;
    const slotPath = childPath('slots', name);
    slot.rules.forEach((r, i) => {
      const rulePath = childPath(childPath(slotPath, 'rules'), i);
      attempt(() =>
        checkRefs(compileRule(r.when, childPath(rulePath, 'when')).refs, childPath(rulePath, 'when')),
      );
      checkContent(r.content, childPath(rulePath, 'content'));
    });
    checkContent(slot.default, childPath(slotPath, 'default'));
  }

  const experimentKeys = new Set<string>();
  (config.experiments ?? []).forEach((exp, i) => {
    const path = childPath('experiments', i);
    if (experimentKeys.has(exp.key))
      problems.push(`${childPath(path, 'key')}: duplicate experiment key "${exp.key}"`);
    experimentKeys.add(exp.key);
    attempt(() => {
      const compiled = compileExperiment(exp, path);
      if (compiled.targeting) checkRefs(compiled.targeting.refs, childPath(path, 'targeting'));
    });
    const variantKeys = new Set<string>();
    exp.variants.forEach((variant, j) => {
      const variantPath = childPath(childPath(path, 'variants'), j);
      if (variantKeys.has(variant.key))
        problems.push(`${childPath(variantPath, 'key')}: duplicate variant key "${variant.key}"`);
      variantKeys.add(variant.key);
      for (const [slot, id] of Object.entries(variant.content ?? {})) {
        checkContent(id, childPath(childPath(variantPath, 'content'), slot));
      }
    });
  });
  return problems;
}

/** Validate a parsed JSON site config; throws a 400 listing every problem with its path. */
export function parseSiteConfig(json: unknown): SiteConfig {
  // Valibot takes an array for an object; a config never is one.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw configError([
      `(config): expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`,
    ]);
  }
  const parsed = v.safeParse(SiteConfigSchema, json);
  if (!parsed.success) {
    throw configError(parsed.issues.map((issue) => `${issuePath(issue)}: ${issueMessage(issue)}`));
  }
  const config = parsed.output as SiteConfig;
  const problems = semanticProblems(config);
  if (problems.length > 0) throw configError(problems);
  return config;
}

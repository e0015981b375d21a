/**
 * Segments and slot rules: the JSON rule language compiled to predicates,
 * segment membership in dependency order, content slots, and site-config
 * validation.
 * @module
 */

export type { CompiledRule, RuleInput } from './compile.js';
export { compileRule } from './compile.js';
export type { ProfileOnlyInput, SegmentEvaluator, SegmentInfo, SegmentInput } from './evaluate.js';
export { compileSegments } from './evaluate.js';
export { CONTEXT_FIELDS } from './leaves.js';
export { parseSiteConfig } from './site-config.js';
export type { ContentChoice, ContentSlotInfo, SlotChooser } from './slots.js';
export { compileSlots } from './slots.js';

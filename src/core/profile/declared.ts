/**
 * Declared and zero-party data carried by events: consent, identify (user id
 * and traits), survey answers from forms, and negative feedback. Everything
 * read from `props` is checked and capped here, since props are free-form.
 * @module
 */
import type { LwwRegister, TesseraEvent } from '../types.js';
import type { ApplyContext } from './apply.js';
import { MAX_TRAITS_PER_EVENT, TEXT_LIMITS } from './limits.js';
import { lwwMax } from './lww.js';
import { own } from './own.js';
import { clampText } from './text.js';

const DAY_MS = 24 * 3600 * 1000;
/** How long "not interested" hides an item or category. */
export const NOT_INTERESTED_MS = 30 * DAY_MS;
/** How long a thumbs down hides an item. */
export const THUMBS_DOWN_MS = 7 * DAY_MS;
/** Affinity weight of a thumbs up on an item. */
export const THUMBS_UP_WEIGHT = 3;

type TraitValue = string | number | boolean;

export function applyDeclared(ctx: ApplyContext, e: TesseraEvent): void {
  const { type } = e;
  // Most events declare nothing: no props read, no empty record made for them.
  if (type !== 'consent' && type !== 'identify' && type !== 'form' && type !== 'feedback') return;
  const props = isRecord(e.props) ? e.props : {};
  if (type === 'consent') applyConsent(ctx, props);
  else if (type === 'identify') applyIdentify(ctx, props);
  else if (type === 'form') applySurvey(ctx, props);
  else applyFeedback(ctx, props, e.item);
}

function applyConsent(ctx: ApplyContext, props: Record<string, unknown>): void {
  const prev = ctx.draft.consent?.v;
  const v = {
    personalization:
      typeof props.personalization === 'boolean' ? props.personalization : (prev?.personalization ?? false),
    analytics: typeof props.analytics === 'boolean' ? props.analytics : (prev?.analytics ?? false),
  };
  const next = lwwMax(ctx.draft.consent, { v, at: ctx.at });
  if (next !== undefined) ctx.draft.consent = next;
}

function applyIdentify(ctx: ApplyContext, props: Record<string, unknown>): void {
  if (typeof props.userId === 'string') {
    const userId = clampText(props.userId, TEXT_LIMITS.userId);
    const next = userId === '' ? undefined : lwwMax(ctx.draft.userId, { v: userId, at: ctx.at });
    if (next !== undefined) ctx.draft.userId = next;
  }
  if (isRecord(props.traits)) {
    for (const [key, value] of Object.entries(props.traits).slice(0, MAX_TRAITS_PER_EVENT))
      setTrait(ctx, key, value);
  }
}

function applySurvey(ctx: ApplyContext, props: Record<string, unknown>): void {
  const survey = props.survey;
  if (!isRecord(survey) || typeof survey.question !== 'string') return;
  setTrait(ctx, `survey.${survey.question}`, survey.answer);
}

function applyFeedback(ctx: ApplyContext, props: Record<string, unknown>, item: string | undefined): void {
  if (props.kind === 'not_interested') {
    const target = props.target === 'category' ? 'category' : 'item';
    const value =
      typeof props.value === 'string'
        ? props.value
        : target === 'item'
          ? item
          : item !== undefined
            ? ctx.attributes(item)?.category
            : undefined;
    if (typeof value === 'string') suppress(ctx, target, value, NOT_INTERESTED_MS);
  } else if (props.kind === 'thumbs' && typeof item === 'string' && item !== '') {
    if (props.value === 'up') ctx.addItemAffinity(item, THUMBS_UP_WEIGHT);
    else if (props.value === 'down') suppress(ctx, 'item', item, THUMBS_DOWN_MS);
  }
}

function suppress(ctx: ApplyContext, kind: 'item' | 'category', value: string, forMs: number): void {
  const v = clampText(value, kind === 'item' ? TEXT_LIMITS.item : TEXT_LIMITS.attribute);
  if (v === '') return;
  const key = `${kind}:${v}`;
  const suppressions = ctx.draft.suppressions();
  suppressions[key] = Math.max(own(suppressions, key) ?? 0, ctx.t + forMs);
}

function setTrait(ctx: ApplyContext, rawKey: string, raw: unknown): void {
  const key = clampText(rawKey, TEXT_LIMITS.traitKey);
  const value = traitValue(raw);
  if (key === '' || value === undefined) return;
  const reg: LwwRegister<TraitValue> = { v: value, at: ctx.at };
  const traits = ctx.draft.traits();
  traits[key] = lwwMax(own(traits, key), reg) ?? reg;
}

function traitValue(raw: unknown): TraitValue | undefined {
  if (typeof raw === 'string') return clampText(raw, TEXT_LIMITS.traitValue);
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'boolean') return raw;
  return undefined;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

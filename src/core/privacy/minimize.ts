/**
 * Data minimisation at ingest: what of an event's props reaches the event
 * log, the profile and the identity links. The site's privacy config
 * (`site.privacy`) can only widen what is kept; by default:
 *
 * - a `form` event keeps the form, the field name and kind, and a survey
 *   answer; a typed value only for a field in `privacy.formFields`, and a
 *   password never;
 * - a `search` event keeps only its length (the term, lower-cased, spaces
 *   collapsed and capped, only when `privacy.searchTerms` is true);
 * - an `identify` event keeps the user id's pseudonym and its traits, each
 *   replaced by its keyed pseudonym unless `privacy.traits` names it as
 *   non-personal; traits that are not scalars, and other props, are dropped.
 *
 * Survey answers (`form` events with `props.survey`) stay in clear: they are
 * answers to the site's own questions, given for personalization, read by
 * segment rules, and capped like every trait.
 * @module
 */
import type { SitePrivacy } from '../config.js';
import { MAX_TRAITS_PER_EVENT, TEXT_LIMITS } from '../profile/limits.js';
import type { TesseraEvent } from '../types.js';

export interface PrivacyPolicy {
  formFields: ReadonlySet<string>;
  clearTraits: ReadonlySet<string>;
  searchTerms: boolean;
  maxEventsPerDay: number;
}

/** Stored events per visitor per day (and node) by default: far above any shopper's day. */
export const DEFAULT_MAX_EVENTS_PER_DAY = 2000;
/** Longest search term kept when terms are allowed. */
export const MAX_SEARCH_TERM = 100;
/** Longest search length reported (a length, not a way to smuggle a number). */
const MAX_SEARCH_LENGTH = 1000;
/** Kinds of fields whose value is never kept, whatever the config says. */
const SECRET_KINDS: ReadonlySet<string> = new Set(['password', 'hidden']);
const MAX_NAME = 64;
const MAX_FORM_VALUE = 200;

export function privacyPolicy(p: SitePrivacy | undefined): PrivacyPolicy {
  return {
    formFields: new Set(p?.formFields ?? []),
    clearTraits: new Set(p?.traits ?? []),
    searchTerms: p?.searchTerms === true,
    maxEventsPerDay: p?.maxEventsPerDay ?? DEFAULT_MAX_EVENTS_PER_DAY,
  };
}

type Scalar = string | number | boolean;

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isScalar = (x: unknown): x is Scalar =>
  typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
const name = (x: unknown): string | undefined =>
  typeof x === 'string' && x !== '' ? x.slice(0, MAX_NAME) : undefined;

/** The event as it may be stored; identify still carries raw values (see `pseudonymizeIdentify`). */
export function minimizeEvent(e: TesseraEvent, policy: PrivacyPolicy): TesseraEvent {
  if (e.type === 'form') return withProps(e, formProps(e.props ?? {}, policy));
  if (e.type === 'search') return withProps(e, searchProps(e.props ?? {}, policy));
  return e;
}

function withProps(e: TesseraEvent, props: Record<string, unknown>): TesseraEvent {
  const { props: _dropped, ...rest } = e;
  return Object.keys(props).length > 0 ? { ...rest, props } : rest;
}

function formProps(p: Record<string, unknown>, policy: PrivacyPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const form = name(p.form);
  const field = name(p.field);
  const kind = name(p.kind);
  if (form !== undefined || p.form === '') out.form = form ?? '';
  if (field !== undefined) out.field = field;
  if (kind !== undefined) out.kind = kind;
  const allowed = field !== undefined && policy.formFields.has(field) && !SECRET_KINDS.has(kind ?? '');
  if (allowed && isScalar(p.value)) out.value = String(p.value).slice(0, MAX_FORM_VALUE);
  const survey = p.survey;
  if (isRecord(survey) && typeof survey.question === 'string' && isScalar(survey.answer)) {
    out.survey = {
      question: survey.question.slice(0, TEXT_LIMITS.traitKey),
      answer:
        typeof survey.answer === 'string' ? survey.answer.slice(0, TEXT_LIMITS.traitValue) : survey.answer,
    };
  }
  return out;
}

/** Lower-case, one space between words, capped: the term as a site may keep it. */
export function normalizeSearchTerm(q: string): string {
  return q.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, MAX_SEARCH_TERM);
}

function searchProps(p: Record<string, unknown>, policy: PrivacyPolicy): Record<string, unknown> {
  const q = typeof p.query === 'string' ? normalizeSearchTerm(p.query) : undefined;
  const given = typeof p.length === 'number' && Number.isInteger(p.length) ? p.length : undefined;
  const length = Math.max(0, Math.min(MAX_SEARCH_LENGTH, q?.length ?? given ?? 0));
  return policy.searchTerms && q !== undefined ? { query: q, length } : { length };
}

/**
 * An identify event with the user id and every personal trait replaced by
 * their pseudonyms (`userId` and `trait` compute them under the key ring).
 */
export async function pseudonymizeIdentify(
  e: TesseraEvent,
  policy: PrivacyPolicy,
  pseudonym: { userId(id: string): Promise<string>; trait(value: Scalar): Promise<string> },
): Promise<TesseraEvent> {
  const p = e.props ?? {};
  const props: Record<string, unknown> = {};
  if (typeof p.userId === 'string') props.userId = await pseudonym.userId(p.userId);
  if (isRecord(p.traits)) {
    const traits: Record<string, Scalar> = {};
    for (const [key, value] of Object.entries(p.traits).slice(0, MAX_TRAITS_PER_EVENT)) {
      if (!isScalar(value)) continue;
      traits[key] = policy.clearTraits.has(key) ? value : await pseudonym.trait(value);
    }
    props.traits = traits;
  }
  return { ...e, props };
}

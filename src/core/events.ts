/**
 * The `/collect` body: schema, limits and per-event validation. A batch with
 * one bad event keeps the good ones; a body that is not JSON or not a batch is
 * one 400 with a clear message. Form events never carry values.
 * @module
 */
import * as v from 'valibot';
import { TesseraError } from './errors.js';
import { EVENT_TYPES, type TesseraEvent } from './types.js';

export interface BatchLimits {
  maxBatch: number;
  /** Largest JSON size of one event's props, bytes. */
  maxPropsBytes: number;
  /** Accepted clock skew into the future, ms. */
  maxFutureMs: number;
  /** Oldest accepted event age, ms. */
  maxAgeMs: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxBatch: 100,
  maxPropsBytes: 2048,
  maxFutureMs: 10 * 60_000,
  maxAgeMs: 7 * 24 * 3600_000,
};

export interface Rejection {
  index: number;
  error: string;
}

export interface ParsedBatch {
  /** Valid events, without in-batch duplicates. */
  events: TesseraEvent[];
  /** How many events of the batch were valid (duplicates included). */
  accepted: number;
  rejected: Rejection[];
  /**
   * Events the browser lost to its bounded queue before this batch (the
   * optional top-level `dropped`); 0 when absent or not a non-negative
   * integer, as a bad counter must not cost the batch its events.
   */
  dropped: number;
}

const Props = v.record(v.string(), v.unknown(), 'props must be an object');

const EventSchema = v.object({
  id: v.pipe(
    v.string('id must be a string'),
    v.minLength(1, 'id is empty'),
    v.maxLength(64, 'id is longer than 64'),
  ),
  type: v.picklist(EVENT_TYPES, `type must be one of ${EVENT_TYPES.join(', ')}`),
  ts: v.pipe(v.number('ts must be a number (epoch ms)'), v.integer('ts must be an integer'), v.minValue(0)),
  item: v.optional(
    v.pipe(
      v.string('item must be a string'),
      v.minLength(1, 'item is empty'),
      v.maxLength(128, 'item is too long'),
    ),
  ),
  props: v.optional(Props),
});

const ITEM_TYPES = new Set(['view', 'click', 'add_to_cart', 'purchase']);
/**
 * The only props a form event may carry: which field and what kind, a survey
 * answer, and a `value` that ingest keeps only for fields the site's privacy
 * config allows (see privacy/minimize.ts); everything else is dropped here.
 */
const FORM_PROPS = new Set(['form', 'field', 'kind', 'survey', 'value']);

/**
 * Numbers that feed revenue (price × quantity, or a given value): bounded
 * here, at the root, so no sum of them can overflow to Infinity (which JSON
 * serializes as null and the dashboard cannot draw).
 */
export const MAX_QUANTITY = 10_000;
export const MAX_PRICE = 1_000_000_000;

/** Why the revenue props of an event are out of bounds, if they are. */
function revenuePropsProblem(props: Record<string, unknown>): string | undefined {
  const q = props.quantity;
  if (q !== undefined && !(Number.isInteger(q) && (q as number) >= 1 && (q as number) <= MAX_QUANTITY))
    return `props.quantity must be an integer from 1 to ${MAX_QUANTITY}`;
  for (const key of ['price', 'value'] as const) {
    const x = props[key];
    if (key === 'value' && typeof x !== 'number') continue; // a form or feedback value is text
    if (x !== undefined && !(typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= MAX_PRICE))
      return `props.${key} must be a number from 0 to ${MAX_PRICE}`;
  }
  return undefined;
}

function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid event';
  const key = first.path?.map((p) => String(p.key)).join('.');
  return key && !first.message.startsWith(key) ? `${key}: ${first.message}` : first.message;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * The common event (`{id, type, ts, item?}`, no props, neither consent nor
 * identify) checked by hand with the schema's own rules: the schema's
 * per-event cost is most of a batch's validation. Anything else, valid or
 * not, goes through the schema (and its messages); undefined means "not this
 * shape".
 */
function plainEvent(raw: unknown): TesseraEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { id, type, ts, item, props } = raw as Record<string, unknown>;
  if (props !== undefined) return undefined;
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) return undefined;
  if (typeof type !== 'string' || !EVENT_TYPE_SET.has(type)) return undefined;
  // These need props (and the schema path's messages when they have none).
  if (type === 'consent' || type === 'identify') return undefined;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0) return undefined;
  if (item === undefined) return { id, type: type as TesseraEvent['type'], ts };
  if (typeof item !== 'string' || item.length < 1 || item.length > 128) return undefined;
  return { id, type: type as TesseraEvent['type'], ts, item };
}

/** Validate one event; returns the clean event or an error text. */
export function validateEvent(raw: unknown, now: number, limits: BatchLimits): TesseraEvent | string {
  const plain = plainEvent(raw);
  if (plain) return checkPlain(plain, now, limits);
  const r = v.safeParse(EventSchema, raw);
  if (!r.success) return issueText(r.issues);
  const e = r.output;
  if (e.ts > now + limits.maxFutureMs) return 'ts is in the future';
  if (e.ts < now - limits.maxAgeMs) return 'ts is too old';
  if (ITEM_TYPES.has(e.type) && e.item === undefined) return `${e.type} events need an item`;
  const out: TesseraEvent = { id: e.id, type: e.type, ts: e.ts };
  if (e.item !== undefined) out.item = e.item;
  if (e.props) {
    let props = e.props;
    if (e.type === 'form') {
      props = {};
      for (const k of Object.keys(e.props)) if (FORM_PROPS.has(k)) props[k] = e.props[k];
    }
    let size: number;
    try {
      size = JSON.stringify(props).length;
    } catch {
      return 'props must be plain JSON';
    }
    if (size > limits.maxPropsBytes) return `props are larger than ${limits.maxPropsBytes} bytes`;
    const problem = revenuePropsProblem(props);
    if (problem) return problem;
    out.props = props;
  }
  if (e.type === 'consent') {
    const p = out.props ?? {};
    if (typeof p.personalization !== 'boolean') return 'consent events need props.personalization (boolean)';
    if (p.analytics !== undefined && typeof p.analytics !== 'boolean')
      return 'props.analytics must be a boolean';
  }
  if (e.type === 'identify') {
    const u = out.props?.userId;
    if (typeof u !== 'string' || u.length === 0 || u.length > 128) {
      return 'identify events need props.userId (a string of 1-128 characters)';
    }
  }
  return out;
}

/** The rest of `validateEvent`'s rules, for an event without props (`plainEvent`). */
function checkPlain(e: TesseraEvent, now: number, limits: BatchLimits): TesseraEvent | string {
  if (e.ts > now + limits.maxFutureMs) return 'ts is in the future';
  if (e.ts < now - limits.maxAgeMs) return 'ts is too old';
  if (ITEM_TYPES.has(e.type) && e.item === undefined) return `${e.type} events need an item`;
  return e;
}

/** Parse a `/collect` body. Throws a 400 TesseraError for a body that is not a batch at all. */
export function parseBatch(
  body: string,
  now: number,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): ParsedBatch {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new TesseraError(400, `[tessera] [collect] body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TesseraError(400, '[tessera] [collect] body must be an object {"events": [...]}');
  }
  const { events: list, dropped } = json as { events: unknown[]; dropped?: unknown };
  if (list.length > limits.maxBatch) {
    throw new TesseraError(
      400,
      `[tessera] [collect] a batch holds at most ${limits.maxBatch} events, got ${list.length}`,
    );
  }
  const events: TesseraEvent[] = [];
  const rejected: Rejection[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const res = validateEvent(list[i], now, limits);
    if (typeof res === 'string') rejected.push({ index: i, error: res });
    else if (ids.has(res.id))
      continue; // a duplicate inside the batch is accepted and changes nothing
    else {
      ids.add(res.id);
      events.push(res);
    }
  }
  const lost = Number.isSafeInteger(dropped) && (dropped as number) > 0 ? (dropped as number) : 0;
  return { events, accepted: list.length - rejected.length, rejected, dropped: lost };
}

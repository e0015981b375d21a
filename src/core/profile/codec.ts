/**
 * Profile bytes: compact UTF-8 JSON. Decoding validates every field and
 * re-truncates, so what comes back from a store or the bus is a profile the
 * rest of the engine can trust; garbage is a 400, never a crash later.
 * @module
 */
import { TesseraError } from '../errors.js';
import { EVENT_TYPES, type Hlc, type LwwRegister, type Profile, type RecentItem } from '../types.js';
import type { Components } from './components.js';
import { MAX_HLC_COUNTER, MAX_TIME_MS, PROFILE_MAX_BYTES, TEXT_LIMITS } from './limits.js';
import { isCleanText } from './text.js';
import { normalizeProfile } from './truncate.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const SEEN_ENTRY = /^[0-9a-z]{1,11}\.[0-9a-f]{8}$/;
/** Suppressions end at most this long after the latest event time. */
const MAX_SUPPRESSION_UNTIL = MAX_TIME_MS + 365 * 24 * 3600 * 1000;

export function encodeProfile(p: Profile): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(p));
  checkEncodedSize(bytes.byteLength);
  return bytes;
}

/**
 * The profile's encoding as text, before UTF-8: for a caller that hands text
 * to something that encodes it anyway (a cipher), saving a copy. The caller
 * must check its UTF-8 size with `checkEncodedSize`.
 */
export function encodeProfileText(p: Profile): string {
  return JSON.stringify(p);
}

/** Throws when an encoding of `byteLength` bytes is over the cap. */
export function checkEncodedSize(byteLength: number): void {
  if (byteLength > PROFILE_MAX_BYTES) {
    // Cannot happen for a profile made by this module: the limits are sized for it.
    throw new TesseraError(
      500,
      `[tessera] [profile] encoded profile is ${byteLength} bytes, over ${PROFILE_MAX_BYTES}`,
    );
  }
}

export function decodeProfile(bytes: Uint8Array): Profile {
  if (bytes.byteLength > PROFILE_MAX_BYTES)
    fail('', `${bytes.byteLength} bytes is over ${PROFILE_MAX_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new TesseraError(400, '[tessera] [profile] not a profile: invalid UTF-8 JSON', { cause });
  }
  return normalizeProfile(readProfile(raw));
}

function fail(path: string, why: string): never {
  throw new TesseraError(400, `[tessera] [profile] not a profile: ${path || 'root'} ${why}`);
}

function record(x: unknown, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(path, 'is not an object');
  return x as Record<string, unknown>;
}

function finite(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, 'is not a finite number');
  return x;
}

function text(x: unknown, maxBytes: number, path: string): string {
  if (typeof x !== 'string' || !isCleanText(x, maxBytes))
    fail(path, `is not a clean string of at most ${maxBytes} bytes`);
  return x;
}

function key(k: string, maxBytes: number, path: string): string {
  return text(k, maxBytes, `${path} key ${JSON.stringify(k.slice(0, 20))}`);
}

function readProfile(x: unknown): Profile {
  const o = record(x, '');
  if (o.v !== 1) fail('v', 'is not 1');
  const p: Profile = {
    v: 1,
    landmark: within(o.landmark, -MAX_TIME_MS, MAX_TIME_MS, 'landmark'),
    affinities: components(o.affinities, TEXT_LIMITS.key, 'affinities', positive),
    counts: components(o.counts, TEXT_LIMITS.eventType, 'counts', positive),
    recent: recent(o.recent),
    traits: traits(o.traits),
    exposures: components(o.exposures, TEXT_LIMITS.exposureKey, 'exposures', (v, path) =>
      integer(v, 1, Number.MAX_SAFE_INTEGER, path),
    ),
    suppressions: suppressions(o.suppressions),
    seen: seen(o.seen),
  };
  if (o.halfLifeMs !== undefined) {
    p.halfLifeMs = positive(o.halfLifeMs, 'halfLifeMs');
  }
  if (o.consent !== undefined) {
    p.consent = register(o.consent, 'consent', (v, path) => {
      const c = record(v, path);
      if (typeof c.personalization !== 'boolean' || typeof c.analytics !== 'boolean')
        fail(path, 'needs two booleans');
      return { personalization: c.personalization, analytics: c.analytics };
    });
  }
  if (o.userId !== undefined)
    p.userId = register(o.userId, 'userId', (v, path) => text(v, TEXT_LIMITS.userId, path));
  if (o.erasedAt !== undefined) p.erasedAt = finite(o.erasedAt, 'erasedAt');
  return p;
}

/**
 * Number ranges are checked as tightly as the code that writes them allows:
 * besides catching garbage, that keeps every decoded number within the widths
 * the byte cap was sized for.
 */
function within(x: unknown, min: number, max: number, path: string): number {
  const v = finite(x, path);
  if (v < min || v > max) fail(path, `is outside ${min}..${max}`);
  return v;
}

function integer(x: unknown, min: number, max: number, path: string): number {
  const v = within(x, min, max, path);
  if (!Number.isInteger(v)) fail(path, 'is not an integer');
  return v;
}

function positive(x: unknown, path: string): number {
  const v = finite(x, path);
  if (v <= 0) fail(path, 'is not positive');
  return v;
}

function components(
  x: unknown,
  keyBytes: number,
  path: string,
  value: (v: unknown, path: string) => number,
): Components {
  const out: Components = {};
  for (const [k, nodesRaw] of Object.entries(record(x, path))) {
    const nodes: Record<string, number> = {};
    for (const [n, v] of Object.entries(record(nodesRaw, `${path}.${k}`))) {
      nodes[key(n, TEXT_LIMITS.node, `${path}.${k}`)] = value(v, `${path}.${k}.${n}`);
    }
    out[key(k, keyBytes, path)] = nodes;
  }
  return out;
}

function hlc(x: unknown, path: string): Hlc {
  const o = record(x, path);
  return {
    p: integer(o.p, 0, MAX_TIME_MS, `${path}.p`),
    l: integer(o.l, 0, MAX_HLC_COUNTER, `${path}.l`),
    n: text(o.n, TEXT_LIMITS.node, `${path}.n`),
  };
}

function register<T>(x: unknown, path: string, value: (v: unknown, path: string) => T): LwwRegister<T> {
  const o = record(x, path);
  return { v: value(o.v, `${path}.v`), at: hlc(o.at, `${path}.at`) };
}

function recent(x: unknown): RecentItem[] {
  if (!Array.isArray(x)) fail('recent', 'is not an array');
  return x.map((r, i) => {
    const o = record(r, `recent[${i}]`);
    if (typeof o.type !== 'string' || !EVENT_TYPE_SET.has(o.type))
      fail(`recent[${i}].type`, 'is not an event type');
    return {
      item: text(o.item, TEXT_LIMITS.item, `recent[${i}].item`),
      type: o.type as RecentItem['type'],
      at: hlc(o.at, `recent[${i}].at`),
    };
  });
}

function traits(x: unknown): Profile['traits'] {
  const out: Profile['traits'] = {};
  for (const [k, r] of Object.entries(record(x, 'traits'))) {
    out[key(k, TEXT_LIMITS.traitKey, 'traits')] = register(r, `traits.${k}`, (v, path) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return finite(v, path);
      return text(v, TEXT_LIMITS.traitValue, path);
    });
  }
  return out;
}

function suppressions(x: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record(x, 'suppressions'))) {
    out[key(k, TEXT_LIMITS.key, 'suppressions')] = integer(v, 0, MAX_SUPPRESSION_UNTIL, `suppressions.${k}`);
  }
  return out;
}

function seen(x: unknown): string[] {
  if (!Array.isArray(x)) fail('seen', 'is not an array');
  return x.map((s, i) => {
    if (typeof s !== 'string' || !SEEN_ENTRY.test(s)) fail(`seen[${i}]`, 'is not a seen entry');
    return s;
  });
}

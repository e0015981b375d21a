/**
 * Cold-start lists by request context, from item events that carry the
 * context they happened in (`props.country`, `props.device`, `props.hour`,
 * `props.ref`, `props.utm_source`, `props.utm_campaign`; the edge records
 * them on the views it observes). Keys match core/recommend/context-lists.ts;
 * a key needs MIN_EVENTS events before its list is trusted over the global
 * popular list.
 * @module
 */
import { hourBucket } from '../core/recommend/context-lists.js';
import type { LoggedEvent } from '../core/types.js';
import { POPULARITY_WEIGHTS } from './popularity.js';

export const MIN_EVENTS = 20;
export const CONTEXT_LIST_LIMIT = 50;
/** Most distinct keys kept (the rarest are dropped first), so a long tail of referrers cannot bloat the artifact. */
export const MAX_CONTEXT_KEYS = 2000;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' && v.length <= 64 ? v.toLowerCase() : undefined;

/** The context keys an event counts towards. */
export function eventContextKeys(props: Record<string, unknown> | undefined): string[] {
  if (!props) return [];
  const keys: string[] = [];
  const country = str(props.country);
  const device = str(props.device);
  const hour =
    typeof props.hour === 'number' && props.hour >= 0 && props.hour < 24 ? hourBucket(props.hour) : undefined;
  const ref = str(props.ref);
  const source = str(props.utm_source);
  const campaign = str(props.utm_campaign);
  if (campaign) keys.push(`utm_campaign:${campaign}`);
  if (source) keys.push(`utm_source:${source}`);
  if (ref) keys.push(`referrer:${ref}`);
  if (country) {
    keys.push(`country:${country}`);
    if (hour) keys.push(`country:${country}|hour:${hour}`);
  }
  if (device) {
    keys.push(`device:${device}`);
    if (hour) keys.push(`device:${device}|hour:${hour}`);
  }
  if (hour) keys.push(`hour:${hour}`);
  return keys;
}

export function contextLists(
  events: ReadonlyArray<LoggedEvent & { item: string }>,
  index: Map<string, number>,
  keep: (i: number) => boolean,
): Record<string, number[]> {
  const perKey = new Map<string, { events: number; scores: Map<number, number> }>();
  for (const e of events) {
    const i = index.get(e.item);
    const w = POPULARITY_WEIGHTS[e.type];
    if (i === undefined || w === undefined) continue;
    for (const key of eventContextKeys(e.props)) {
      let entry = perKey.get(key);
      if (!entry) {
        entry = { events: 0, scores: new Map() };
        perKey.set(key, entry);
      }
      entry.events++;
      entry.scores.set(i, (entry.scores.get(i) ?? 0) + w);
    }
  }
  const kept = [...perKey.entries()]
    .filter(([, v]) => v.events >= MIN_EVENTS)
    .sort((a, b) => b[1].events - a[1].events || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_CONTEXT_KEYS);
  const out: Record<string, number[]> = {};
  for (const [key, { scores }] of kept) {
    out[key] = [...scores.entries()]
      .filter(([i]) => keep(i))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, CONTEXT_LIST_LIMIT)
      .map(([i]) => i);
  }
  return out;
}

/**
 * Cold-start lists by request context. The trainer precomputes "popular in
 * this context" lists under keys such as `country:de`; the edge looks them up
 * from the most specific key to the most general and says which one it used.
 *
 * Keys (lower-case values): `utm_campaign:X`, `utm_source:X`, `referrer:HOST`,
 * `country:C|hour:B`, `country:C`, `device:D|hour:B`, `device:D`, `hour:B`,
 * with hour buckets night (0-5), morning (6-11), afternoon (12-17), evening
 * (18-23) in the visitor's local time.
 * @module
 */
import type { DecisionContext } from '../types.js';

export type ListContext = Pick<DecisionContext, 'device' | 'localHour' | 'utm'> &
  Partial<Pick<DecisionContext, 'country' | 'referrerHost'>>;

export type HourBucket = 'night' | 'morning' | 'afternoon' | 'evening';

export function hourBucket(hour: number): HourBucket {
  if (hour < 6) return 'night';
  if (hour < 12) return 'morning';
  if (hour < 18) return 'afternoon';
  return 'evening';
}

const WHEN: Record<HourBucket, string> = {
  night: 'tonight',
  morning: 'this morning',
  afternoon: 'this afternoon',
  evening: 'this evening',
};

export interface ContextKey {
  key: string;
  reason: string;
}

/** Context keys of a request, most specific first, each with the reason it gives. */
export function contextKeys(ctx: ListContext): ContextKey[] {
  const out: ContextKey[] = [];
  const bucket = hourBucket(ctx.localHour);
  const campaign = ctx.utm.campaign?.toLowerCase();
  const source = ctx.utm.source?.toLowerCase();
  if (campaign)
    out.push({ key: `utm_campaign:${campaign}`, reason: `popular with visitors from ${campaign}` });
  if (source) out.push({ key: `utm_source:${source}`, reason: `popular with visitors from ${source}` });
  if (ctx.referrerHost) {
    out.push({
      key: `referrer:${ctx.referrerHost}`,
      reason: `popular with visitors from ${ctx.referrerHost}`,
    });
  }
  if (ctx.country) {
    const c = ctx.country.toLowerCase();
    const shown = ctx.country.toUpperCase();
    out.push({ key: `country:${c}|hour:${bucket}`, reason: `popular in ${shown} ${WHEN[bucket]}` });
    out.push({ key: `country:${c}`, reason: `popular in ${shown}` });
  }
  if (ctx.device !== 'bot') {
    out.push({
      key: `device:${ctx.device}|hour:${bucket}`,
      reason: `popular on ${ctx.device} ${WHEN[bucket]}`,
    });
    out.push({ key: `device:${ctx.device}`, reason: `popular on ${ctx.device}` });
  }
  out.push({ key: `hour:${bucket}`, reason: `popular ${WHEN[bucket]}` });
  return out;
}

/**
 * Request → DecisionContext: cookies, device class, geo from edge headers,
 * language, local hour, referrer, UTM, GPC/DNT. Reads only headers and URL,
 * so it costs the same on every runtime.
 * @module
 */
import type { EngineSettings } from './config.js';
import { pathOf } from './http/path.js';
import type { DecisionContext, DeviceClass, Utm } from './types.js';

/** The part of a Request the core reads: a real `Request` satisfies it. */
export interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: {
    get(name: string): string | null;
    /**
     * Optional: whether the request has any header of these (lower-case)
     * names. A host that can answer it without a lookup per name (the Node
     * server: one pass over the few headers a request has) lets the context
     * skip the geo headers' sixteen lookups when none is there.
     */
    anyOf?(names: ReadonlySet<string>): boolean;
  };
  text(): Promise<string>;
  /**
   * The id the host gave this request (the Node server's `X-Request-Id`):
   * every log line written while serving it names it (request-logger.ts).
   */
  readonly requestId?: string | undefined;
}

/** Built-in geo headers, first match wins: Cloudflare, Vercel, Fastly (by convention), generic. */
export const COUNTRY_HEADERS = [
  'cf-ipcountry',
  'x-vercel-ip-country',
  'fastly-geo-country',
  'x-country-code',
];
export const REGION_HEADERS = [
  'cf-region-code',
  'x-vercel-ip-country-region',
  'fastly-geo-region',
  'x-region-code',
];
export const CITY_HEADERS = ['cf-ipcity', 'x-vercel-ip-city', 'fastly-geo-city', 'x-city'];
export const TZ_HEADERS = ['cf-timezone', 'x-vercel-ip-timezone', 'fastly-geo-timezone', 'x-timezone'];

const MAX_COOKIE_HEADER = 8192;

export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header || header.length > MAX_COOKIE_HEADER) return out;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = header.slice(start, eq).trim().toLowerCase();
      let value = header.slice(eq + 1, end).trim();
      if (value.length > 1 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
        value = value.slice(1, -1);
      }
      if (name && !(name in out)) out[name] = value;
    }
    start = end + 1;
  }
  return out;
}

/**
 * One cookie's value, read as `parseCookies(header)[name]` would read it
 * (first occurrence, name case-insensitive, quotes stripped), without
 * building the record: what the `/collect` guard reads before it decides.
 * `name` is lower case.
 */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header || header.length > MAX_COOKIE_HEADER) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = header.slice(start, eq).trim();
      if (key.length === name.length && key.toLowerCase() === name) {
        const value = header.slice(eq + 1, end).trim();
        const quoted =
          value.length > 1 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34;
        return quoted ? value.slice(1, -1) : value;
      }
    }
    start = end + 1;
  }
  return undefined;
}

const BOT_RE = /bot|crawl|spider|slurp|headless|lighthouse|preview/i;
const TABLET_RE = /ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i;
const MOBILE_RE = /mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini/i;

/**
 * A small memo for values derived from headers that repeat across requests
 * (User-Agent, Accept-Language): a handful of distinct strings make up most
 * traffic, and the regexes cost more than a Map lookup.
 */
function memo<T>(fn: (key: string) => T, max = 2000): (key: string) => T {
  const m = new Map<string, T>();
  return (key) => {
    let v = m.get(key);
    if (v === undefined) {
      v = fn(key);
      if (m.size >= max) m.clear();
      m.set(key, v);
    }
    return v;
  };
}

const deviceMemo = memo((key) => {
  const sep = key.indexOf('\n');
  const ch = key.slice(0, sep);
  return classifyDevice(sep + 1 < key.length ? key.slice(sep + 1) : null, ch || null);
});

/** Without a Client Hint (most requests), by the User-Agent as it is: no key string built per request. */
const uaMemo = memo((ua) => classifyDevice(ua, null));

/** Device class from Client Hints when present (Sec-CH-UA-Mobile), else the User-Agent. */
export function deviceClass(ua: string | null, chMobile: string | null): DeviceClass {
  if (ua && ua.length > 512) return classifyDevice(ua, chMobile);
  if (chMobile === null && ua) return uaMemo(ua);
  return deviceMemo(`${chMobile ?? ''}\n${ua ?? ''}`);
}

function classifyDevice(ua: string | null, chMobile: string | null): DeviceClass {
  if (ua && BOT_RE.test(ua)) return 'bot';
  if (chMobile === '?1') return 'mobile';
  if (!ua) return 'desktop';
  if (TABLET_RE.test(ua)) return 'tablet';
  if (chMobile !== '?0' && MOBILE_RE.test(ua)) return 'mobile';
  return 'desktop';
}

function firstHeader(
  h: RequestLike['headers'],
  names: readonly string[],
  extra?: string,
): string | undefined {
  if (extra) {
    const v = h.get(extra);
    if (v) return v;
  }
  for (const n of names) {
    const v = h.get(n);
    if (v) return v;
  }
  return undefined;
}

/** Every built-in geo header name: a request with none of them (and no site-named ones) has no geo. */
const GEO_HEADER_NAMES: ReadonlySet<string> = new Set([
  ...COUNTRY_HEADERS,
  ...REGION_HEADERS,
  ...CITY_HEADERS,
  ...TZ_HEADERS,
]);

const languageMemo = memo((h) => parseLanguage(h) ?? '');

/** Primary language tag of Accept-Language (the first, highest-weighted entry). */
export function primaryLanguage(header: string | null): string | undefined {
  if (!header) return undefined;
  if (header.length > 256) return parseLanguage(header);
  return languageMemo(header) || undefined;
}

function parseLanguage(header: string): string | undefined {
  let best: string | undefined;
  let bestQ = -1;
  for (const part of header.split(',', 8)) {
    const [tag, ...params] = part.trim().split(';');
    if (!tag || tag === '*') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)/.exec(p);
      if (m?.[1]) q = Number.parseFloat(m[1]);
    }
    if (q > bestQ) {
      best = tag.toLowerCase().slice(0, 16);
      bestQ = q;
    }
  }
  return best;
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

const DAY_MS = 86_400_000;

/** `new Date(now).getUTCHours()`, without the Date: integer arithmetic on the clipped time. */
function utcHour(now: number): number {
  // What Date keeps of a time (TimeClip): NaN outside ±8.64e15 ms, else the integer part.
  if (!(Math.abs(now) <= 8.64e15)) return Number.NaN;
  const t = Math.trunc(now);
  const inDay = ((t % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(inDay / 3_600_000);
}

/** Hour of day in a time zone; UTC for unknown zones. Formatters are cached (they are costly to build). */
export function localHour(now: number, timezone: string | undefined): number {
  if (!timezone) return utcHour(now);
  let f = hourFormatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { hour: 'numeric', hourCycle: 'h23', timeZone: timezone });
    } catch {
      return new Date(now).getUTCHours();
    }
    if (hourFormatters.size > 512) hourFormatters.clear();
    hourFormatters.set(timezone, f);
  }
  return Number.parseInt(f.format(now), 10) % 24;
}

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

function parseUtm(search: string): Utm {
  const utm: Utm = {};
  if (!search.includes('utm_')) return utm;
  const params = new URLSearchParams(search);
  for (const k of UTM_KEYS) {
    const v = params.get(`utm_${k}`);
    if (v) utm[k] = v.slice(0, 100).toLowerCase();
  }
  return utm;
}

/** The search part of a URL string (`?…`, before any fragment), without the cost of `new URL` on the hot path. */
function searchOf(url: string): string {
  let i = url.indexOf('://');
  i = i === -1 ? 0 : url.indexOf('/', i + 3);
  if (i === -1) return '';
  const q = url.indexOf('?', i);
  const h = url.indexOf('#', i);
  const end = h === -1 ? url.length : h;
  return q === -1 || q > end ? '' : url.slice(q, end);
}

export function buildContext(
  req: RequestLike,
  now: number,
  settings: Pick<EngineSettings, 'geoHeaders'> = {},
): DecisionContext {
  const h = req.headers;
  const geo = settings.geoHeaders;
  const url = req.url;
  const ctx: DecisionContext = {
    method: req.method,
    // The one decoder every route uses: the same path the engine routed by.
    path: pathOf(url),
    cookies: parseCookies(h.get('cookie')),
    device: deviceClass(h.get('user-agent'), h.get('sec-ch-ua-mobile')),
    localHour: 0,
    utm: parseUtm(searchOf(url)),
    gpc: h.get('sec-gpc') === '1',
    dnt: h.get('dnt') === '1',
    now,
  };
  // Site-named geo headers, or a host that cannot tell which headers it has: every name is looked up.
  const custom = geo !== undefined && !!(geo.country || geo.region || geo.city || geo.timezone);
  if (custom || h.anyOf === undefined || h.anyOf(GEO_HEADER_NAMES)) readGeo(ctx, h, geo ?? {});
  ctx.localHour = localHour(now, ctx.timezone);
  const lang = primaryLanguage(h.get('accept-language'));
  if (lang) ctx.language = lang;
  const ref = h.get('referer');
  if (ref) {
    ctx.referrer = ref.slice(0, 512);
    const host = referrerHost(ref, h.get('host'));
    if (host) ctx.referrerHost = host;
  }
  return ctx;
}

/** Country, region, city and time zone from the edge's headers (the site's own names first). */
function readGeo(
  ctx: DecisionContext,
  h: RequestLike['headers'],
  geo: NonNullable<EngineSettings['geoHeaders']>,
): void {
  const country = firstHeader(h, COUNTRY_HEADERS, geo.country);
  if (country && country !== 'XX') ctx.country = country.toUpperCase().slice(0, 2);
  const region = firstHeader(h, REGION_HEADERS, geo.region);
  if (region) ctx.region = region.slice(0, 16);
  const city = firstHeader(h, CITY_HEADERS, geo.city);
  if (city) ctx.city = safeDecode(city).slice(0, 64);
  const tz = firstHeader(h, TZ_HEADERS, geo.timezone);
  if (tz) ctx.timezone = tz.slice(0, 64);
}

function referrerHost(ref: string, ownHost: string | null): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(ref);
  const host = m?.[1]?.toLowerCase();
  if (!host) return undefined;
  const own = ownHost?.split(':')[0]?.toLowerCase();
  return host === own ? undefined : host;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The observer port: what the engine tells a metrics backend, called at the
 * one place each thing happens (a reply finished, a decision stage closed,
 * events accepted or refused, an exposure, a conversion). The core stays
 * dependency-free: the Node runtime plugs prom-client in (src/observe/), a
 * host without metrics gets the silent default. Every label the core passes
 * is bounded (route labels, stage names, rejection reasons, the site's own
 * experiment, arm and slot names), so a backend can count by them directly.
 * @module
 */

/** What became of `/collect` events. `throttled` counts batches (a 429 reads no body). */
export type IngestOutcome = 'accepted' | 'rejected' | 'deduplicated' | 'throttled' | 'spooled' | 'dropped';

export interface EngineObserver {
  /**
   * A request answered: its route label (`routeLabel`), status and seconds
   * until the reply, and the host's id for it when it gave one (for a log
   * line; never a label).
   */
  request(route: string, status: number, seconds: number, requestId?: string): void;
  /** A decision stage closed (the Server-Timing names: context, profile, segments, experiments, recommend, assemble). */
  stage(stage: string, seconds: number): void;
  /**
   * A page decision's segments (the site's own segment ids: bounded), and the
   * visitor's id when they consented, so a backend can count visitors rather
   * than pages. The id is never a label: the live series keeps it only for
   * the 10 seconds it counts distinct visitors in.
   */
  segments(ids: readonly string[], visitor: string | undefined): void;
  /** Where a decision's profile came from (cache, cookie, store, timeout, unavailable, none). */
  profileSource(source: string): void;
  ingest(outcome: IngestOutcome, events: number, reason?: string): void;
  /** A visitor's first assignment to an arm. */
  exposure(experiment: string, arm: string): void;
  /** A visitor's first conversion (purchase) in an experiment. */
  conversion(experiment: string, arm: string): void;
  /** Recommended items shown in a slot. */
  impression(slot: string, items: number): void;
  /** A click on a recommended item in a slot. */
  click(slot: string): void;
  /** A new model version is in use. */
  modelSwap(version: string): void;
}

const nothing = () => {};

export const silentObserver: EngineObserver = {
  request: nothing,
  stage: nothing,
  segments: nothing,
  profileSource: nothing,
  ingest: nothing,
  exposure: nothing,
  conversion: nothing,
  impression: nothing,
  click: nothing,
  modelSwap: nothing,
};

/** A full observer from the methods a host gave (the rest do nothing). */
export function observerOf(given: Partial<EngineObserver> | undefined): EngineObserver {
  return given ? { ...silentObserver, ...given } : silentObserver;
}

const FIXED_ROUTES = new Set(['/', '/collect', '/health', '/ready', '/metrics', '/tessera.js']);
const PREFIXES = ['/admin/api', '/admin', '/privacy', '/_tessera'];

/**
 * A request's route as a metric label, from its raw URL: fixed routes by
 * name, the item route as `<prefix>:id`, `/category/:id`, the admin API and
 * the other host routes by prefix, everything else `page`. A scanner's
 * thousand paths are one label, never a thousand series.
 */
export function routeLabel(url: string, itemPrefix: string | undefined): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const i = url.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  const path = url.slice(start, end);
  if (FIXED_ROUTES.has(path)) return path;
  if (itemPrefix && path.startsWith(itemPrefix)) return `${itemPrefix}:id`;
  if (path.startsWith('/category/')) return '/category/:id';
  for (const p of PREFIXES) if (path === p || path.startsWith(`${p}/`)) return p;
  return 'page';
}

const REJECTION_FIELDS = new Set(['id', 'type', 'ts', 'item', 'props']);

/** A rejected event's reason as a bounded label: the field at fault, else `invalid`. */
export function rejectionReason(error: string): string {
  if (error.endsWith(' need an item')) return 'item';
  if (/^(consent|identify) events need props/.test(error)) return 'props';
  const head = /^[a-z]+/.exec(error)?.[0];
  return head && REJECTION_FIELDS.has(head) ? head : 'invalid';
}

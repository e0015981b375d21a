/**
 * The collector's state machine, without the DOM: a consent gate, a queue and
 * the flush timer. Everything it touches in the browser (cookies, transport,
 * clock, timers) comes in through `CollectorDeps`, so it runs under vitest.
 * @module
 */
import type { ConsentMode } from '../core/config.js';
import type { TesseraEvent } from '../core/types.js';
import { chunk, flushDelay, isUrgent } from './batching.js';
import {
  type BrowserConsentState,
  type ConsentChoice,
  mayCollect,
  parseConsentCookie,
  resolveConsent,
} from './consent.js';
import { buildEvent, isEventType } from './event.js';

export type FeedbackKind = 'not_interested' | 'thumbs_up' | 'thumbs_down';

export interface CollectorDeps {
  mode: ConsentMode;
  /** Raw value of the consent cookie, read anew each time (the server may have just set it). */
  readConsentCookie(): string | undefined;
  /** GPC or Do-Not-Track is on. */
  privacySignal: boolean;
  /** Post one batch; resolves once the server answered (or at once for a beacon). Never rejects. */
  send(events: TesseraEvent[], beacon: boolean): Promise<void>;
  now(): number;
  newId(): string;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The public API, installed as `window.tessera`. */
export interface TesseraBrowserApi {
  /** Record the visitor's choice; resolves when the server answered, so the page can reload. */
  consent(choice: ConsentChoice): Promise<void>;
  track(type: string, item?: string, props?: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
  feedback(item: string, kind: FeedbackKind, props?: Record<string, unknown>): void;
  consentState(): BrowserConsentState;
  /** Send everything queued now. */
  flush(): Promise<void>;
}

/** The API plus what the DOM wiring needs. */
export interface Collector extends TesseraBrowserApi {
  /** Like track, with an explicit urgency (the main item's view is urgent). */
  record(
    type: string,
    item: string | undefined,
    props: Record<string, unknown> | undefined,
    urgent: boolean,
  ): void;
  /** Flush everything; `beacon` when the page is going away. */
  drain(beacon: boolean): Promise<void>;
}

export function createCollector(deps: CollectorDeps): Collector {
  let queue: TesseraEvent[] = [];
  let urgentPending = false;
  let timer: unknown;
  let dueAt = Infinity;
  /** Set by `consent()`, before the server's cookie is visible to the page. */
  let explicit: ConsentChoice | undefined;

  const consentState = (): BrowserConsentState =>
    resolveConsent(deps.mode, explicit ?? parseConsentCookie(deps.readConsentCookie()), deps.privacySignal);

  const cancelTimer = (): void => {
    if (timer !== undefined) deps.clearTimer(timer);
    timer = undefined;
    dueAt = Infinity;
  };

  const drain = (beacon: boolean): Promise<void> => {
    cancelTimer();
    const batches = chunk(queue);
    queue = [];
    urgentPending = false;
    return Promise.all(batches.map((b) => deps.send(b, beacon))).then(() => undefined);
  };

  // Reschedule only when the new deadline is earlier, so a stream of
  // low-value events cannot postpone an urgent flush (or the idle one).
  const schedule = (): void => {
    const delay = flushDelay(queue.length, urgentPending);
    if (delay === undefined) return;
    const at = deps.now() + delay;
    if (at >= dueAt) return;
    cancelTimer();
    dueAt = at;
    timer = deps.setTimer(() => {
      timer = undefined;
      void drain(false);
    }, delay);
  };

  const record: Collector['record'] = (type, item, props, urgent) => {
    if (!isEventType(type) || type === 'consent') return;
    // Dropped, not queued: nothing collected before consent may leak out later.
    if (!mayCollect(type, consentState())) return;
    queue.push(buildEvent(type, deps.newId(), deps.now(), item, props));
    urgentPending ||= urgent;
    schedule();
  };

  const consent = (choice: ConsentChoice): Promise<void> => {
    // Tolerates a missing argument from untyped callers: no choice is a refusal.
    explicit = { personalization: !!choice?.personalization, analytics: !!choice?.analytics };
    // Whatever the visitor no longer allows must not go out in the next batch.
    queue = queue.filter((e) => mayCollect(e.type, explicit!));
    const event = buildEvent('consent', deps.newId(), deps.now(), undefined, { ...explicit });
    return deps.send([event], false);
  };

  return {
    record,
    drain,
    consent,
    consentState,
    track: (type, item, props) => record(type, item, props, isEventType(type) && isUrgent(type)),
    identify: (userId, traits) =>
      record('identify', undefined, traits ? { userId, traits } : { userId }, true),
    feedback: (item, kind, props) => record('feedback', item, { ...props, kind }, true),
    flush: () => drain(false),
  };
}

/**
 * The collector's state machine, without the DOM: a consent gate, the queue
 * of unacknowledged events, the flush timer and the retries. What it
 * touches in the browser (cookies, transport, storage) comes in through
 * `CollectorDeps`; the clock and timers are the standard ones, which vitest
 * fakes. So it runs under vitest.
 *
 * An event leaves the queue only when a `fetch` was answered 2xx (delivered)
 * or 400/413-like (refused for good, with a console warning). Network errors,
 * 429 and 5xx keep it for a retry after a backoff (see retry.ts). Ids are
 * made once, so a resent event is the same event and the server's dedupe by
 * (visitor, id) makes delivery exactly-once. A beacon has no answer, so what
 * it carried stays queued until a later fetch is acknowledged: a page that
 * lives on resends it (deduped), which is the price of never trusting a beacon.
 * @module
 */
import type { ConsentMode } from '../core/config.js';
import type { EventType, TesseraEvent } from '../core/types.js';
import { BATCH_MAX, flushDelay, isUrgent, QUEUE_MAX } from './batching.js';
import {
  type BrowserConsentState,
  type ConsentChoice,
  consentFromCookies,
  mayCollect,
  resolveConsent,
} from './consent.js';
import { buildEvent, isEventType, newEventId } from './event.js';
import { retryDelay, type ServerAnswer } from './retry.js';

export type FeedbackKind = 'not_interested' | 'thumbs_up' | 'thumbs_down';

/** The `/collect` body: `dropped` counts events this browser lost to the queue bound since the last acknowledged batch. */
export interface Batch {
  events: TesseraEvent[];
  dropped: number;
}

export interface CollectorDeps {
  mode: ConsentMode;
  /** `document.cookie`, read anew each time (the server may have just set the consent cookie). */
  readCookies(): string;
  /** GPC or Do-Not-Track is on. */
  privacySignal: boolean;
  /**
   * Send one batch: by `fetch`, resolving to the response (undefined for a
   * network error), or by `sendBeacon` when the page is going away (no answer).
   * Never rejects.
   */
  send(batch: Batch, beacon: boolean): Promise<ServerAnswer | undefined>;
  /** The queue an earlier page of this tab saved, if any; may throw (storage disabled). */
  load(): string | null | undefined;
  /** Save the queue (JSON) for the next page, or forget it (undefined); must not throw. */
  save(value: string | undefined): void;
  /** First backoff window, ms. */
  retryBase: number;
}

/** The public API, installed as `window.tessera`. */
export interface TesseraBrowserApi {
  /** Record the visitor's choice; resolves when the server answered, so the page can reload. */
  consent(choice: ConsentChoice): Promise<void>;
  track(type: string, item?: string, props?: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
  feedback(item: string, kind: FeedbackKind, props?: Record<string, unknown>): void;
  consentState(): BrowserConsentState;
  /** Send everything queued now (unless the server asked to wait); resolves once sent or a retry is set. */
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
  /** Set by `consent()`, before the server's cookie is visible to the page. */
  let explicit: ConsentChoice | undefined;
  const consentState = (): BrowserConsentState =>
    resolveConsent(deps.mode, explicit ?? consentFromCookies(deps.readCookies()), deps.privacySignal);

  let queue: TesseraEvent[] = [];
  let dropped = 0;
  try {
    const saved = JSON.parse(deps.load() as string) as Batch;
    // A choice made since (in another tab) still holds for what an earlier page left.
    queue = saved.events.filter((e) => mayCollect(e.type, consentState()));
    dropped = saved.dropped | 0;
  } catch {
    // Nothing saved, storage disabled, or not ours: start empty.
  }
  let urgentPending = queue.length > 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = Infinity;
  /** No fetch before this time: the backoff, or the server's Retry-After. */
  let notBefore = 0;
  /** Failures since the last settled batch; widens the backoff window. */
  let attempt = 0;
  /** The request in flight, if any; its promise settles once the queue is drained or a retry is set. */
  let sending: Promise<void> | undefined;

  // Stored (for the next page of this tab) only once the visitor chose: the
  // queue then holds nothing but what that choice allows, and the choice
  // itself, which must survive the reload that follows it. Without a choice,
  // memory only; once delivered, or after a withdrawal left nothing, removed.
  const persist = (): void =>
    deps.save(queue.length && consentState().chosen ? JSON.stringify({ events: queue, dropped }) : undefined);

  const cancelTimer = (): void => {
    clearTimeout(timer);
    timer = undefined;
    dueAt = Infinity;
  };

  // Reschedule only when the new deadline is earlier, so a stream of
  // low-value events cannot postpone an urgent flush (or the idle one).
  const schedule = (): void => {
    // Nothing queued: no deadline at all.
    const at = Math.max(Date.now() + (flushDelay(queue.length, urgentPending) ?? Infinity), notBefore);
    if (at >= dueAt) return;
    cancelTimer();
    dueAt = at;
    timer = setTimeout(() => {
      cancelTimer();
      void drain(false);
    }, at - Date.now());
  };

  const drain = async (beacon: boolean): Promise<void> => {
    if (beacon) {
      for (let i = 0; i < queue.length; i += BATCH_MAX)
        void deps.send({ events: queue.slice(i, i + BATCH_MAX), dropped }, true);
    } else if (sending) {
      return sending; // which goes on with the rest once its batch is delivered
    } else if (Date.now() < notBefore) {
      schedule();
    } else if (queue.length > 0) {
      cancelTimer();
      urgentPending = false;
      // One request at a time, oldest events first; each answer settles its batch.
      const events = queue.slice(0, BATCH_MAX);
      const lost = dropped;
      sending = deps.send({ events, dropped: lost }, false).then((answer) => {
        sending = undefined;
        const wait = retryDelay(answer, attempt, deps.retryBase, Math.random(), Date.now());
        if (wait === undefined) {
          // Delivered, or refused for good (400, 413): either way it leaves the queue.
          if (answer!.status > 299) console.warn('[tessera] dropped', answer!.status);
          queue = queue.filter((e) => !events.includes(e));
          dropped -= lost;
          attempt = 0;
          persist();
          return drain(false);
        }
        attempt++;
        notBefore = Date.now() + wait;
        urgentPending = true;
        schedule();
      });
      return sending;
    }
  };

  const record: Collector['record'] = (type, item, props, urgent) => {
    if (!isEventType(type) || type === 'consent') return;
    // Dropped, not queued: nothing collected before consent may leak out later.
    if (!mayCollect(type, consentState())) return;
    queue.push(buildEvent(type, newEventId(), Date.now(), item, props));
    if (queue.length > QUEUE_MAX) {
      queue.shift();
      dropped++;
    }
    urgentPending ||= urgent;
    persist();
    schedule();
  };

  const consent = (choice: ConsentChoice): Promise<void> => {
    // Tolerates a missing argument from untyped callers: no choice is a refusal.
    // `{ device: true }` ("learn on my device only") grants neither; the server forces that too.
    explicit = { personalization: !!choice?.personalization, analytics: !!choice?.analytics };
    // Whatever the visitor no longer allows must not go out in a later batch.
    queue = queue.filter((e) => mayCollect(e.type, explicit!));
    // The choice as made (with `device`), the categories as granted.
    const event = buildEvent('consent', newEventId(), Date.now(), undefined, { ...choice, ...explicit });
    queue.unshift(event);
    persist();
    // At once, even during a backoff: the choice should reach the server before the page reloads.
    notBefore = 0;
    return drain(false);
  };

  schedule();
  return {
    record,
    drain,
    consent,
    consentState,
    track: (type, item, props) => record(type, item, props, isUrgent(type as EventType)),
    // An undefined `traits` vanishes in JSON.
    identify: (userId, traits) => record('identify', undefined, { userId, traits }, true),
    feedback: (item, kind, props) => record('feedback', item, { ...props, kind }, true),
    flush: () => drain(false),
  };
}

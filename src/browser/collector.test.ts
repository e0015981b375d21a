import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TesseraEvent } from '../core/types.js';
import { BATCH_MAX, IDLE_FLUSH_MS, QUEUE_MAX, URGENT_DELAY_MS } from './batching.js';
import { type Batch, type CollectorDeps, createCollector } from './collector.js';
import type { ServerAnswer } from './retry.js';

const BASE = 100;
const reply = (status: number, retryAfter?: string): ServerAnswer =>
  new Response(null, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });

interface HarnessOptions {
  mode?: 'opt-in' | 'opt-out';
  cookie?: string;
  privacySignal?: boolean;
  /** What an earlier page saved. */
  saved?: string | undefined;
}

/**
 * A collector on vitest's fake clock and timers, with a scripted server:
 * `answers` are used in turn for fetches (undefined = network error), then 202.
 */
function harness(opts: HarnessOptions = {}) {
  const sent: { batch: Batch; beacon: boolean }[] = [];
  const answers: (ServerAnswer | undefined)[] = [];
  const cookie = { value: opts.cookie };
  const storage = { value: opts.saved as string | undefined };
  const deps: CollectorDeps = {
    mode: opts.mode ?? 'opt-in',
    readCookies: () => (cookie.value ? `other=1; tsr_consent=${cookie.value}` : 'other=1'),
    privacySignal: opts.privacySignal ?? false,
    send: async (batch, beacon) => {
      sent.push({ batch, beacon });
      if (beacon) return undefined;
      return answers.length > 0 ? answers.shift() : reply(202);
    },
    load: () => storage.value,
    save: (value) => {
      storage.value = value;
    },
    retryBase: BASE,
  };
  const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
  const fetched = () => sent.filter((s) => !s.beacon);
  const types = () => fetched().flatMap((s) => s.batch.events.map((e) => e.type));
  const ids = (events: TesseraEvent[]) => events.map((e) => e.id);
  const stored = (): Batch | undefined => (storage.value ? JSON.parse(storage.value) : undefined);
  return { c: createCollector(deps), sent, answers, cookie, storage, stored, advance, fetched, types, ids };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('consent gate', () => {
  it('drops events before consent in opt-in mode, and does not send them after a later grant', async () => {
    const h = harness();
    h.c.track('click', 'sku-1');
    h.c.track('scroll', undefined, { depth: 25 });
    expect(vi.getTimerCount()).toBe(0);
    await h.c.consent({ personalization: true, analytics: true });
    await h.c.flush();
    expect(h.types()).toEqual(['consent']);
  });

  it('sends the consent event at once, with the choice, through fetch', async () => {
    const h = harness();
    await h.c.consent({ personalization: true, analytics: false });
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.beacon).toBe(false);
    expect(h.sent[0]?.batch.events[0]).toMatchObject({
      type: 'consent',
      props: { personalization: true, analytics: false },
    });
    expect(h.c.consentState()).toMatchObject({ personalization: true, analytics: false, chosen: true });
  });

  it('follows the consent cookie the server set', async () => {
    const h = harness();
    expect(h.c.consentState().chosen).toBe(false);
    h.cookie.value = 'p0.a1';
    expect(h.c.consentState()).toMatchObject({ personalization: false, analytics: true, chosen: true });
    h.c.track('form', undefined, { form: 'f', field: 'x', kind: 'text' });
    h.c.identify('user-1');
    await h.advance(IDLE_FLUSH_MS);
    expect(h.types()).toEqual(['form']);
  });

  it('collects in opt-out mode unless GPC or DNT is on', async () => {
    const open = harness({ mode: 'opt-out' });
    open.c.track('click', 'sku-1');
    await open.advance(URGENT_DELAY_MS);
    expect(open.types()).toEqual(['click']);

    const gpc = harness({ mode: 'opt-out', privacySignal: true });
    gpc.c.track('click', 'sku-1');
    gpc.c.track('page', undefined, { path: '/' });
    await gpc.advance(IDLE_FLUSH_MS);
    expect(gpc.sent).toEqual([]);
  });

  it('discards queued events that a decline no longer allows', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    await h.c.consent({ personalization: false, analytics: false });
    await h.c.flush();
    expect(h.types()).toEqual(['consent']);
  });

  it('ignores unknown event types and consent events forged through track', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('pageview');
    h.c.track('consent', undefined, { personalization: true });
    await h.advance(IDLE_FLUSH_MS);
    expect(h.sent).toEqual([]);
  });
});

describe('flush policy', () => {
  it('flushes an urgent event after the short debounce, with whatever else is queued', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    h.c.track('click', 'sku-1', { slot: 'hero' });
    await h.advance(URGENT_DELAY_MS - 1);
    expect(h.sent).toEqual([]);
    await h.advance(1);
    expect(h.sent).toHaveLength(1);
    expect(h.types()).toEqual(['scroll', 'click']);
    expect(h.sent[0]?.batch.events[1]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      ts: expect.any(Number),
      item: 'sku-1',
    });
  });

  it('holds low-value events until the idle interval', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('scroll', undefined, { depth: 25 });
    await h.advance(IDLE_FLUSH_MS - 1);
    h.c.track('scroll', undefined, { depth: 50 });
    expect(h.sent).toEqual([]);
    await h.advance(1);
    expect(h.types()).toEqual(['scroll', 'scroll']);
  });

  it('does not let later low-value events postpone a pending urgent flush', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('add_to_cart', 'sku-2');
    await h.advance(URGENT_DELAY_MS - 10);
    h.c.track('scroll', undefined, { depth: 25 });
    await h.advance(10);
    expect(h.types()).toEqual(['add_to_cart', 'scroll']);
  });

  it('flushes at once when a batch is full and never sends more than 20 per request', async () => {
    const h = harness({ mode: 'opt-out' });
    for (let i = 0; i < 20; i++) h.c.track('view', `sku-${i}`);
    await h.advance(0);
    expect(h.sent.map((s) => s.batch.events.length)).toEqual([20]);
    for (let i = 0; i < 25; i++) h.c.record('view', `sku-${i}`, undefined, false);
    await h.c.drain(true);
    expect(h.sent.map((s) => s.batch.events.length)).toEqual([20, 20, 5]);
    expect(h.sent.slice(1).every((s) => s.beacon)).toBe(true);
  });

  it('sends the main item view promptly through record', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.record('view', 'sku-main', undefined, true);
    await h.advance(URGENT_DELAY_MS);
    expect(h.types()).toEqual(['view']);
  });

  it('gives every event its own id', async () => {
    const h = harness({ mode: 'opt-out' });
    h.c.track('click', 'a');
    h.c.track('click', 'b');
    await h.advance(URGENT_DELAY_MS);
    const ids = h.fetched().flatMap((s) => h.ids(s.batch.events));
    expect(new Set(ids).size).toBe(2);
  });
});

describe('delivery', () => {
  it('keeps a batch the server could not take and resends the same events after the backoff', async () => {
    const h = harness({ mode: 'opt-out' });
    h.answers.push(reply(503), reply(502), undefined);
    h.c.track('click', 'sku-1');
    await h.advance(URGENT_DELAY_MS);
    // Full jitter at 0.5: half of 100, 200 and 400 ms.
    await h.advance(BASE / 2 - 1);
    expect(h.fetched()).toHaveLength(1);
    await h.advance(1);
    expect(h.fetched()).toHaveLength(2);
    await h.advance(BASE);
    expect(h.fetched()).toHaveLength(3);
    await h.advance(2 * BASE);
    expect(h.fetched()).toHaveLength(4);
    await h.advance(10_000);
    expect(h.fetched()).toHaveLength(4);
    const [first, ...resent] = h.fetched().map((s) => h.ids(s.batch.events));
    expect(resent).toEqual([first, first, first]);
  });

  it('waits for Retry-After before resending, even when new events are due', async () => {
    const h = harness({ mode: 'opt-out' });
    h.answers.push(reply(429, '2'));
    h.c.track('click', 'sku-1');
    await h.advance(URGENT_DELAY_MS);
    h.c.track('add_to_cart', 'sku-1');
    await h.c.flush();
    await h.advance(2000 + BASE / 2 - 1);
    expect(h.fetched()).toHaveLength(1);
    await h.advance(1);
    expect(h.fetched()).toHaveLength(2);
    expect(h.fetched()[1]?.batch.events.map((e) => e.type)).toEqual(['click', 'add_to_cart']);
  });

  it('drops a batch refused as malformed or too large with a console warning, and never resends it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const status of [400, 413]) {
      const h = harness({ mode: 'opt-out' });
      h.answers.push(reply(status));
      h.c.track('click', 'sku-1');
      await h.advance(URGENT_DELAY_MS);
      await h.advance(60_000);
      expect(h.fetched()).toHaveLength(1);
      expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('[tessera] dropped'), status);
      h.c.track('click', 'sku-2');
      await h.advance(URGENT_DELAY_MS);
      expect(h.fetched()[1]?.batch.events.map((e) => e.item)).toEqual(['sku-2']);
    }
  });

  it('sends one request at a time, oldest events first, and goes on once a batch is delivered', async () => {
    const h = harness({ mode: 'opt-out' });
    for (let i = 0; i < 45; i++) h.c.record('view', `sku-${i}`, undefined, false);
    await h.advance(0);
    expect(h.fetched().map((s) => s.batch.events.length)).toEqual([20, 20, 5]);
    expect(h.fetched().flatMap((s) => s.batch.events.map((e) => e.item))).toEqual(
      Array.from({ length: 45 }, (_, i) => `sku-${i}`),
    );
  });

  it('keeps at most QUEUE_MAX events, dropping the oldest, and reports how many went in the next batch', async () => {
    const h = harness({ mode: 'opt-out' });
    h.answers.push(...Array.from({ length: 30 }, () => undefined));
    h.c.track('click', 'first');
    await h.advance(URGENT_DELAY_MS);
    for (let i = 0; i < QUEUE_MAX + 4; i++) h.c.record('view', `sku-${i}`, undefined, false);
    h.answers.length = 0;
    await h.advance(60_000);
    const delivered = h.fetched().slice(-QUEUE_MAX / BATCH_MAX);
    expect(delivered.map((s) => s.batch.dropped)).toEqual([5, 0, 0, 0, 0]);
    expect(delivered[0]?.batch.events[0]?.item).toBe('sku-4');
    expect(delivered.flatMap((s) => s.batch.events)).toHaveLength(QUEUE_MAX);
    h.c.track('click', 'later');
    await h.advance(URGENT_DELAY_MS);
    expect(h.fetched().at(-1)?.batch).toMatchObject({ dropped: 0, events: [{ item: 'later' }] });
  });

  it('lets a consent choice through at once during a backoff', async () => {
    const h = harness({ mode: 'opt-out' });
    h.answers.push(reply(429, '30'));
    h.c.track('click', 'sku-1');
    await h.advance(URGENT_DELAY_MS);
    await h.c.consent({ personalization: true, analytics: true });
    expect(h.fetched().map((s) => s.batch.events.map((e) => e.type))).toEqual([
      ['click'],
      ['consent', 'click'],
    ]);
  });
});

describe('across pages', () => {
  it('keeps unacknowledged events in storage once the visitor chose, and forgets them once delivered', async () => {
    const h = harness({ cookie: 'p1.a1' });
    h.answers.push(reply(503));
    h.c.track('click', 'sku-1');
    expect(h.stored()?.events.map((e) => e.item)).toEqual(['sku-1']);
    await h.advance(URGENT_DELAY_MS);
    expect(h.stored()?.events.map((e) => e.item)).toEqual(['sku-1']);
    await h.advance(BASE);
    expect(h.storage.value).toBeUndefined();
  });

  it('keeps the queue in memory only while the visitor has not chosen', async () => {
    const h = harness({ mode: 'opt-out' });
    h.answers.push(reply(503));
    h.c.track('click', 'sku-1');
    await h.advance(URGENT_DELAY_MS);
    expect(h.storage.value).toBeUndefined();
  });

  it('resends what an earlier page left, promptly and with the same ids', async () => {
    const before = harness({ cookie: 'p1.a1' });
    before.answers.push(reply(503));
    before.c.track('click', 'sku-1');
    before.c.track('scroll', undefined, { depth: 25 });
    await before.advance(URGENT_DELAY_MS);
    const leftOver = before.stored();

    const after = harness({ cookie: 'p1.a1', saved: before.storage.value });
    await after.advance(URGENT_DELAY_MS);
    expect(after.ids(after.fetched()[0]?.batch.events ?? [])).toEqual(after.ids(leftOver?.events ?? []));
    expect(after.storage.value).toBeUndefined();
  });

  it('does not resend what a choice made since no longer allows', async () => {
    const before = harness({ cookie: 'p1.a1' });
    before.answers.push(reply(503));
    before.c.track('click', 'sku-1');
    await before.advance(URGENT_DELAY_MS);

    const after = harness({ cookie: 'p0.a0', saved: before.storage.value });
    await after.advance(IDLE_FLUSH_MS);
    expect(after.sent).toEqual([]);
  });

  it('clears stored events on withdrawal, keeping only the choice until the server has it', async () => {
    const h = harness({ cookie: 'p1.a1' });
    h.answers.push(reply(503), reply(503));
    h.c.track('click', 'sku-1');
    await h.advance(URGENT_DELAY_MS);
    await h.c.consent({ personalization: false, analytics: false });
    expect(h.stored()?.events.map((e) => e.type)).toEqual(['consent']);
    await h.advance(60_000);
    expect(h.storage.value).toBeUndefined();
  });

  it('beacons the queue on page hide but keeps it until a fetch is acknowledged', async () => {
    const h = harness({ cookie: 'p1.a1' });
    h.c.track('scroll', undefined, { depth: 25 });
    await h.c.drain(true);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.beacon).toBe(true);
    expect(h.stored()?.events).toHaveLength(1);
    await h.advance(IDLE_FLUSH_MS);
    expect(h.fetched()[0]?.batch.events).toEqual(h.sent[0]?.batch.events);
    expect(h.storage.value).toBeUndefined();
  });
});

describe('api helpers', () => {
  it('identify and feedback carry their fields', async () => {
    const h = harness({ cookie: 'p1.a1' });
    h.c.identify('user-7', { plan: 'pro' });
    h.c.feedback('sku-3', 'not_interested', { slot: 'recs' });
    await h.advance(URGENT_DELAY_MS);
    const [identify, feedback] = h.sent[0]?.batch.events ?? [];
    expect(identify).toMatchObject({
      type: 'identify',
      props: { userId: 'user-7', traits: { plan: 'pro' } },
    });
    expect(feedback).toMatchObject({
      type: 'feedback',
      item: 'sku-3',
      props: { kind: 'not_interested', slot: 'recs' },
    });
  });
});
